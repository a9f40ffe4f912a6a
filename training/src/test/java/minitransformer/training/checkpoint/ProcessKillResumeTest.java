package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import minitransformer.training.cli.Main;
import minitransformer.training.metrics.MetricsLog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume through the command line with a process really stopped: {@code train} runs in a child
 * JVM that is killed with SIGKILL (Process.destroyForcibly) first in the middle of writing a
 * checkpoint ({@link SlowSaveTrainMain} runs {@code train} with a store that sleeps after each .npz
 * file), then, resumed,
 * in the middle of training steps. Resuming again to the end gives the losses and the final weights
 * and moments of an uninterrupted run, bit for bit.
 */
@Tag("slow")
class ProcessKillResumeTest {
  private static final int MAX_ITERS = 30;

  @TempDir Path tmp;

  @Test
  void killedMidSaveAndMidTrainingResumesExactly() throws Exception {
    Files.writeString(tmp.resolve("corpus.txt"), ExactResumeTest.TEXT);
    Path config = tmp.resolve("tiny.yaml");
    Files.writeString(config, ExactResumeTest.TINY.formatted(2) // two workers: the parallel step
        .replace("max_iters: 12", "max_iters: " + MAX_ITERS)
        .replace("checkpoint_interval: 4", "checkpoint_interval: 5")
        .replace("eval_interval: 4", "eval_interval: 10")
        + "run:\n  out_dir: runs\n");
    Path straight = tmp.resolve("runs/straight");
    Path killed = tmp.resolve("runs/killed");
    assertEquals(0, cli("train", "--config", config.toString(), "--run", "straight", "--quiet"));

    // 1. Kill in the middle of a save: model.npz written, meta.json not yet.
    Process p = child(SlowSaveTrainMain.class, "train", "--config", config.toString(),
        "--run", "killed", "--quiet");
    Path halfWritten = waitFor(p, () -> halfWrittenSave(killed), 120);
    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertTrue(Files.isDirectory(halfWritten), "the half-written directory survives the kill");
    assertFalse(Files.exists(halfWritten.resolve(CheckpointStore.META_FILE)));
    List<String> warnings = new ArrayList<>();
    TrainingState afterKill = CheckpointStore.load(killed, warnings::add);
    String tempStep = halfWritten.getFileName().toString().replaceAll("^\\.tmp-(step-\\d+)-\\d+$", "$1");
    assertTrue(CheckpointStore.stepDirectoryName(afterKill.step()).compareTo(tempStep) < 0,
        "loaded " + afterKill.step() + ", not the half-written " + tempStep);
    assertTrue(warnings.stream().anyMatch(w -> w.contains(halfWritten.getFileName().toString())), warnings.toString());
    System.out.printf("killed mid-save: %s half-written, resumed from step %d%n", halfWritten.getFileName(),
        afterKill.step());

    // 2. Resume in a child and kill it between saves, a few steps after it resumed.
    long resumedAt = afterKill.step();
    Process q = child(Main.class, "train", "--resume", killed.toString(), "--quiet");
    waitFor(q, () -> lastLoggedIter(killed) >= resumedAt + 7 ? Optional.of(true) : Optional.empty(), 120);
    q.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    long secondKill = CheckpointStore.load(killed, w -> {}).step();
    System.out.printf("killed mid-training at logged step %d, latest checkpoint %d%n", lastLoggedIter(killed), secondKill);

    // 3. Resume to the end in this JVM, through the command line.
    assertEquals(0, cli("train", "--resume", killed.toString(), "--quiet"));

    assertEquals(ExactResumeTest.stepLosses(straight), ExactResumeTest.stepLosses(killed));
    TrainingState a = CheckpointStore.load(straight, w -> {});
    TrainingState b = CheckpointStore.load(killed, w -> {});
    assertEquals(MAX_ITERS, b.step());
    Checkpoints.assertSameArrays(a.parameters(), b.parameters());
    Checkpoints.assertSameArrays(a.optimizerState(), b.optimizerState());
    assertEquals(a.dropoutRngState(), b.dropoutRngState());
    assertEquals(a.batchRngState(), b.batchRngState());
  }

  private static Optional<Path> halfWrittenSave(Path run) {
    if (CheckpointLookup.completeCheckpoints(run).isEmpty()) return Optional.empty();
    try (Stream<Path> s = Files.list(run)) {
      return s.filter(d -> d.getFileName().toString().startsWith(CheckpointStore.TEMP_PREFIX))
          .filter(d -> Files.exists(d.resolve(CheckpointStore.MODEL_FILE)))
          .filter(d -> !Files.exists(d.resolve(CheckpointStore.META_FILE)))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long lastLoggedIter(Path run) {
    try {
      List<String> losses = ExactResumeTest.stepLosses(run);
      return losses.isEmpty() ? 0 : Long.parseLong(losses.get(losses.size() - 1).split(":")[0]);
    } catch (IOException | AssertionError e) {
      return 0; // a line being written
    }
  }

  private static <T> T waitFor(Process p, Supplier<Optional<T>> condition, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Optional<T> found = condition.get();
      if (found.isPresent()) return found.get();
      if (!p.isAlive()) throw new AssertionError("the child ended early with exit code " + p.exitValue());
      Thread.sleep(20);
    }
    p.destroyForcibly();
    throw new AssertionError("timed out waiting for the child");
  }

  private Process child(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path")));
    command.add(main.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("child-" + System.nanoTime() + ".log").toFile());
    return pb.start();
  }

  private int cli(String... args) {
    StringWriter out = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    int exit = cli.execute(args);
    if (exit != 0) System.out.println(out);
    return exit;
  }
}
