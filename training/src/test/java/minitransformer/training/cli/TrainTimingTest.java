package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.training.TinyRuns;
import minitransformer.training.Training;
import minitransformer.training.metrics.RunClock.Part;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} accounts for its wall time on every run: its last line and timing.json split it into
 * steps, evaluations, checkpoint saves, loss-curve drawings, the sample, setup and other, with the right
 * counts, every part present and non-negative, adding up to the total. No figure is compared with a
 * duration: the machine's speed is not what is tested.
 */
class TrainTimingTest {
  private static final Pattern TOTAL = Pattern.compile("^time(?: of this process \\(resumed at step (\\d+)\\))?: (\\d+\\.\\d) s = ");
  private static final Pattern PART = Pattern.compile(
      "(steps|evaluations|checkpoints|loss curve|sample and predictions|setup|other) (\\d+\\.\\d) s");

  @TempDir Path dir;

  @Test
  void aNewRunSplitsItsTimeByPart() throws IOException {
    // tiny.yaml: 6 steps, evaluations at 0, 3 and 6 (2 batches a split), checkpoints at 3 and 6, a sample
    Path config = TinyRuns.write(dir, "");
    CliRun result = CliRun.of("train", "--config", config.toString(), "--run", "timed");
    assertEquals(0, result.exit(), result.err());
    List<String> lines = result.out().lines().toList();
    String line = lines.get(lines.size() - 1);
    assertTrue(line.startsWith("time: "), "the last line: " + line);
    assertTrue(line.contains(" (6 × "), line);
    assertTrue(line.contains("evaluations ") && line.contains(" (3 × 2 × 2 batches)"), line);
    assertTrue(line.contains(" (2 saves)"), line);
    assertTrue(line.contains(" (4 drawings)"), line); // at each evaluation and when the run completes
    assertTrue(line.contains("(from the train command's start)"), line);
    assertLineAddsUp(line);

    JsonNode timing = timing(dir.resolve("runs/timed"));
    assertAddsUp(timing);
    assertEquals(0, timing.path("start_step").asLong());
    assertCounts(timing, 6, 3, 2, 4, 1);
    assertEquals(2, timing.path("eval_batches_per_split").asInt());
    assertTrue(timing.path("first_step_s").asDouble() > 0, timing.toString());
    assertTrue(timing.path("first_step_s").asDouble() <= timing.path("parts_s").path("steps").asDouble(),
        timing.toString());
  }

  @Test
  void aResumedRunReportsItsOwnProcessOnly() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun first = CliRun.of("train", "--config", config.toString(), "--quiet", "--set", "training.max_iters=3");
    assertEquals(0, first.exit(), first.err());
    assertFalse(first.out().contains("time"), "quiet: evaluation lines only\n" + first.out());
    Path runDir = dir.resolve("runs/tiny");
    JsonNode before = timing(runDir);
    assertAddsUp(before);
    assertCounts(before, 3, 2, 1, 3, 0); // evaluations at 0 and 3, a save at 3, quiet: no sample

    CliRun resumed = CliRun.of("train", "--resume", runDir.toString(), "--set", "training.max_iters=6");
    assertEquals(0, resumed.exit(), resumed.err());
    List<String> lines = resumed.out().lines().toList();
    String line = lines.get(lines.size() - 1);
    assertTrue(line.startsWith("time of this process (resumed at step 3): "), line);
    assertTrue(line.contains(" (3 × "), line);
    assertTrue(line.contains(" (1 × 2 × 2 batches)"), line);
    assertTrue(line.contains(" (1 save)"), line);
    assertLineAddsUp(line);
    JsonNode after = timing(runDir);
    assertAddsUp(after);
    assertEquals(3, after.path("start_step").asLong());
    assertCounts(after, 3, 1, 1, 2, 1);
  }

  @Test
  void trainingFromJavaWritesTheSameFile() throws IOException {
    Training.train(TinyRuns.config(dir));
    JsonNode timing = timing(dir.resolve("runs/tiny"));
    assertAddsUp(timing);
    assertEquals("the call of Training.train", timing.path("measured_from").asText());
    assertCounts(timing, 6, 3, 2, 4, 0); // no sample: Training.train prints nothing
  }

  /**
   * The program itself, in a child JVM stopped by SIGTERM as Ctrl-C stops it: its time starts with the JVM,
   * and the interrupted run still says where it went, after the resume command.
   */
  @Test
  @Tag("slow")
  void theProgramCountsFromTheJvmStartAndReportsAnInterruptedRun() throws Exception {
    Path config = TinyRuns.write(dir, "");
    Path log = dir.resolve("child.log");
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "train", "--config", config.toString(), "--set", "training.max_iters=100000");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    Path metrics = dir.resolve("runs/tiny/metrics.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!(Files.exists(metrics) && Files.readString(metrics).contains("\"type\":\"step\""))) {
      assertTrue(p.isAlive(), "the child ended early:\n" + Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "timed out waiting for the child's first logged step");
      Thread.sleep(20);
    }
    p.destroy(); // SIGTERM: the shutdown hook stops the loop as Ctrl-C does
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not stop");
    List<String> lines = Files.readString(log).lines().toList();
    int interrupted = lines.indexOf(lines.stream().filter(l -> l.startsWith("interrupted at step ")).findFirst()
        .orElseThrow(() -> new AssertionError("no interruption line:\n" + String.join("\n", lines))));
    long step = Long.parseLong(lines.get(interrupted).replaceAll("^interrupted at step (\\d+);.*", "$1"));
    assertTrue(lines.get(interrupted + 1).startsWith("resume with: "), lines.get(interrupted + 1));
    String line = lines.get(interrupted + 2);
    assertTrue(line.startsWith("time: "), line);
    assertTrue(line.contains("(from the JVM's start)"), line);
    assertTrue(line.contains(" (" + step + " × "), line);
    assertLineAddsUp(line);
    JsonNode timing = timing(dir.resolve("runs/tiny"));
    assertAddsUp(timing);
    assertEquals("the JVM's start", timing.path("measured_from").asText());
    assertEquals(step, timing.path("counts").path("steps").asLong(), timing.toString());
    assertEquals(0, timing.path("counts").path("sample").asLong(), "no sample after an interruption");
    // a save every 3 steps, and the one the stop asked for unless the step was a multiple of 3
    assertEquals(step / 3 + (step % 3 == 0 ? 0 : 1), timing.path("counts").path("checkpoints").asLong(),
        timing.toString());
  }

  private static JsonNode timing(Path runDir) throws IOException {
    return new ObjectMapper().readTree(runDir.resolve("timing.json").toFile());
  }

  /** Every part present and non-negative, their sum the total (the file keeps full precision). */
  private static void assertAddsUp(JsonNode timing) {
    double sum = 0;
    for (Part part : Part.values()) {
      JsonNode seconds = timing.path("parts_s").path(part.key);
      assertTrue(seconds.isNumber(), part.key + " in " + timing);
      assertTrue(seconds.asDouble() >= 0, part.key + " in " + timing);
      sum += seconds.asDouble();
    }
    double total = timing.path("total_s").asDouble();
    assertTrue(total > 0, timing.toString());
    assertEquals(total, sum, 1e-6, timing.toString());
  }

  private static void assertCounts(
      JsonNode timing, long steps, long evaluations, long checkpoints, long lossCurves, long samples) {
    JsonNode counts = timing.path("counts");
    assertEquals(steps, counts.path("steps").asLong(), timing.toString());
    assertEquals(evaluations, counts.path("evaluations").asLong(), timing.toString());
    assertEquals(checkpoints, counts.path("checkpoints").asLong(), timing.toString());
    assertEquals(lossCurves, counts.path("loss_curve").asLong(), timing.toString());
    assertEquals(samples, counts.path("sample").asLong(), timing.toString());
  }

  /** The line's seven parts, each once, non-negative, adding up to its total within their rounding to 0.1 s. */
  private static void assertLineAddsUp(String line) {
    Matcher total = TOTAL.matcher(line);
    assertTrue(total.find(), line);
    Map<String, Double> parts = new LinkedHashMap<>();
    Matcher part = PART.matcher(line.substring(total.end()));
    while (part.find()) {
      assertEquals(null, parts.put(part.group(1), Double.parseDouble(part.group(2))), "twice: " + line);
    }
    assertEquals(
        List.of("steps", "evaluations", "checkpoints", "loss curve", "sample and predictions", "setup", "other"),
        List.copyOf(parts.keySet()), line);
    parts.values().forEach(seconds -> assertTrue(seconds >= 0, line));
    double sum = parts.values().stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(Double.parseDouble(total.group(2)), sum, 0.05 * (parts.size() + 1) + 1e-9, line);
  }
}
