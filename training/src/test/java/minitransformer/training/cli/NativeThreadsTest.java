package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.metrics.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The program chooses its native threads itself: {@code train} in child JVMs whose environment has
 * {@code OMP_NUM_THREADS} unset, 1 or 2 gives the same losses and the same final weights and moments,
 * bit for bit. The model is sized (width 64, 64 rows per product) so that libnd4j and OpenBLAS split
 * their work when they are given two threads.
 */
class NativeThreadsTest {
  private static final String CONFIG = """
      model:
        n_layer: 1
        n_head: 2
        n_embd: 64
        block_size: 16
        dropout: 0.0
        bias: false
      data:
        path: corpus.txt
        tokenizer: char
      training:
        max_iters: 5
        batch_size: 4
        learning_rate: 1.0e-2
        warmup_iters: 2
        eval_interval: 5
        eval_iters: 1
        log_interval: 1
        checkpoint_interval: 5
      run:
        out_dir: runs
      """;

  private static final Pattern STEP = Pattern.compile("\"iter\":(\\d+).*\"loss\":([^,}]+)");

  @TempDir Path tmp;

  @Test
  void sameWeightsWhateverOmpNumThreadsHolds() throws Exception {
    Files.writeString(tmp.resolve("corpus.txt"),
        "First Citizen: Before we proceed any further, hear me speak.\n".repeat(20)
            + "All: Speak, speak. You are all resolved rather to die than to famish?\n".repeat(20));
    Files.writeString(tmp.resolve("tiny.yaml"), CONFIG);

    Path unset = train("unset", null);
    Path one = train("one", "1");
    Path two = train("two", "2");

    List<String> losses = stepLosses(unset);
    assertEquals(5, losses.size(), losses.toString());
    assertEquals(losses, stepLosses(one), "OMP_NUM_THREADS=1 vs unset");
    assertEquals(losses, stepLosses(two), "OMP_NUM_THREADS=2 vs unset");
    var reference = CheckpointStore.load(unset);
    for (Path other : List.of(one, two)) {
      var state = CheckpointStore.load(other);
      assertBitIdentical(reference.parameters(), state.parameters(), other);
      assertBitIdentical(reference.optimizerState(), state.optimizerState(), other);
    }
  }

  /** Runs {@code train} in a child JVM with OMP_NUM_THREADS set to {@code omp}, or removed when null. */
  private Path train(String run, String omp) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "train", "--config", "tiny.yaml", "--run", run, "--quiet"));
    Path log = tmp.resolve(run + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("OMP_NUM_THREADS");
    if (omp != null) pb.environment().put("OMP_NUM_THREADS", omp);
    Process p = pb.start();
    boolean ended = p.waitFor(5, TimeUnit.MINUTES);
    if (!ended) p.destroyForcibly();
    assertTrue(ended, "train timed out: " + Files.readString(log));
    assertEquals(0, p.exitValue(), Files.readString(log));
    return tmp.resolve("runs").resolve(run);
  }

  private static List<String> stepLosses(Path run) throws Exception {
    List<String> losses = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve(MetricsLog.FILE))) {
      if (!line.contains("\"type\":\"step\"")) continue;
      Matcher m = STEP.matcher(line);
      assertTrue(m.find(), line);
      losses.add(m.group(1) + ":" + m.group(2));
    }
    return losses;
  }

  private static void assertBitIdentical(Map<String, INDArray> expected, Map<String, INDArray> actual, Path run) {
    assertEquals(expected.keySet(), actual.keySet());
    assertFalse(expected.isEmpty());
    for (var e : expected.entrySet()) {
      float[] a = e.getValue().dup().data().asFloat();
      float[] b = actual.get(e.getKey()).dup().data().asFloat();
      assertTrue(Arrays.equals(a, b), e.getKey() + " differs in " + run.getFileName());
    }
  }
}
