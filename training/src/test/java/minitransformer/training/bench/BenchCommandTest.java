package minitransformer.training.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.training.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
  @TempDir Path dir;

  @Test
  void tinyConfigGivesJsonWithPositiveTimesAndMemory() throws Exception {
    Path text = dir.resolve("text.txt");
    Files.writeString(text, "the quick brown fox jumps over the lazy dog. ".repeat(200));
    Path config = dir.resolve("tiny.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "model: {n_layer: 1, n_head: 2, n_embd: 16, block_size: 8}",
            "data: {path: text.txt, tokenizer: char}",
            "training: {batch_size: 4}",
            ""));
    CliRun r = CliRun.of("bench", "--config", config.toString(), "--steps", "3", "--warmup", "1",
        "--sample-tokens", "3", "--rss-every", "2", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode result = new ObjectMapper().readTree(r.out()).get("results").get(0);
    assertEquals("tiny", result.get("name").asText());
    assertEquals(3, result.get("step").get("count").asInt());
    double median = result.get("step").get("medianMs").asDouble();
    assertTrue(median > 0 && median < 60_000, "median " + median);
    assertTrue(result.get("step").get("minMs").asDouble() <= median);
    assertTrue(result.get("step").get("maxMs").asDouble() >= median);
    assertEquals(4 * 8 / (median / 1000), result.get("tokensPerSecond").asDouble(), 1e-6);
    assertTrue(result.get("sampling").get("fullForwardTokensPerSecond").asDouble() > 0);
    assertTrue(result.get("sampling").get("kvCacheTokensPerSecond").asDouble() > 0);
    assertTrue(result.get("sampling").get("kvCacheExactSlideTokensPerSecond").asDouble() > 0);
    // steps 1, 2 and 4 of the 4 run (1 warm-up + 3 timed)
    assertEquals(3, result.get("memory").get("samples").size());
    if (Files.exists(Path.of("/proc/self/status"))) {
      assertTrue(result.get("memory").get("peakDuringBytes").asLong() > 10_000_000);
    }
  }

  /** A 1-layer char model on a repeated sentence, with the given training section. */
  private Path tinyConfig(String training) throws java.io.IOException {
    Files.writeString(dir.resolve("text.txt"), "the quick brown fox jumps over the lazy dog. ".repeat(200));
    Path config = dir.resolve("tiny.yaml");
    Files.writeString(config, "model: {n_layer: 1, n_head: 2, n_embd: 16, block_size: 8}\n"
        + "data: {path: text.txt, tokenizer: char}\ntraining: " + training + "\n");
    return config;
  }

  /**
   * The op table times the passes training runs (replayed ones, whose first two passes are left to
   * the warm-up): the ops of a tiny step appear, forward and backward, with their time.
   */
  @Test
  void profileTimesTheReplayedPassOpByOp() throws Exception {
    Path config = tinyConfig("{batch_size: 4, workers: 1}");
    CliRun r = CliRun.of("bench", "--config", config.toString(), "--steps", "3", "--warmup", "0",
        "--sample-tokens", "0", "--profile");
    assertEquals(0, r.exit(), r.err());
    Matcher m = Pattern.compile("(\\d+) ops per step; inside ops ([\\d.]+) ms").matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Integer.parseInt(m.group(1)) > 50, r.out());
    assertTrue(Double.parseDouble(m.group(2)) > 0, r.out());
    assertTrue(r.out().contains("fwd matmul"), r.out());
    assertTrue(r.out().contains("bwd matmul_bp"), r.out());
  }

  /** Issue 13, item 7: no line per step unless --verbose (a 1,000-step run printed 1,000 lines). */
  @Test
  void perStepLinesOnlyWithVerbose() throws Exception {
    Path config = tinyConfig("{batch_size: 4}");
    String[] args = {"bench", "--config", config.toString(), "--steps", "4", "--warmup", "0", "--sample-tokens", "0"};
    CliRun quiet = CliRun.of(args);
    assertEquals(0, quiet.exit(), quiet.err());
    assertEquals(0, quiet.err().lines().filter(l -> l.contains(": step ")).count(), quiet.err());
    assertTrue(quiet.err().contains("tiny: 4 steps timed"), quiet.err());
    String[] verboseArgs = java.util.Arrays.copyOf(args, args.length + 1);
    verboseArgs[args.length] = "--verbose";
    CliRun verbose = CliRun.of(verboseArgs);
    assertEquals(4, verbose.err().lines().filter(l -> l.matches("tiny: step \\d/4 .* ms \\(loss .*\\)")).count(),
        verbose.err());
  }

  @Test
  void onATerminalOneBarIsRedrawnInPlace() {
    StringWriter text = new StringWriter();
    var progress = new minitransformer.training.cli.BenchProgressProbe(new PrintWriter(text), true).listener();
    for (int step = 1; step <= 10; step++) {
      progress.stepped("char", step, 10, 300, 4.2);
    }
    assertEquals(1, text.toString().chars().filter(c -> c == '\n').count(), "one line, redrawn with \\r: " + text);
    assertEquals(10, text.toString().chars().filter(c -> c == '\r').count());
    assertTrue(text.toString().endsWith("char: [==============================] 10/10 steps, last 300 ms\n"), text.toString());
  }

  @Test
  void samplingRunsPastTheBlockByDefaultAndProfilePrintsTheOpTable() throws Exception {
    Path config = tinyConfig();
    CliRun r = CliRun.of("bench", "--config", config.toString(), "--steps", "2", "--warmup", "1", "--profile");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("tiny: sampling 16 tokens through the KV cache, exact slide"), r.err()); // 2 x block 8
    Matcher header = Pattern.compile("; (\\d+) ops per step;").matcher(r.out());
    assertTrue(r.out().contains("op profile of tiny") && header.find(), r.out());
    // Every op of a step is in exactly one row: the rows' calls per step add up to the ops per step.
    Matcher row = Pattern.compile("(?m)^(fwd|bwd) (\\S+) +(\\d+) ").matcher(r.out());
    int calls = 0;
    java.util.Set<String> phases = new java.util.HashSet<>();
    java.util.Set<String> ops = new java.util.HashSet<>();
    while (row.find()) {
      calls += Integer.parseInt(row.group(3));
      phases.add(row.group(1));
      ops.add(row.group(1) + " " + row.group(2));
    }
    assertEquals(Integer.parseInt(header.group(1)), calls, r.out());
    assertEquals(java.util.Set.of("fwd", "bwd"), phases, r.out());
    assertTrue(ops.contains("fwd matmul") && ops.contains("fwd softmax"), ops.toString());
  }

  @Test
  void profileOptionsAreCheckedFirst() throws Exception {
    String config = tinyConfig().toString();
    CliRun.of("bench", "--config", config, "--profile", "--json").assertOneErrorLine("--json");
    CliRun.of("bench", "--config", config, "--replay").assertOneErrorLine("--replay needs --profile");
  }

  private Path tinyConfig() throws Exception {
    Files.writeString(dir.resolve("text.txt"), "the quick brown fox jumps over the lazy dog. ".repeat(200));
    return Files.writeString(dir.resolve("tiny.yaml"), String.join("\n",
        "model: {n_layer: 1, n_head: 2, n_embd: 16, block_size: 8}",
        "data: {path: text.txt, tokenizer: char}",
        "training: {batch_size: 4}",
        ""));
  }

  @Test
  void missingCorpusIsOneErrorLine() {
    CliRun r = CliRun.of("bench", "--data", dir.resolve("absent.txt").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("error: " + dir.resolve("absent.txt") + ": no such file"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void tokenizerBenchLearnsTheAskedMergesAndReportsPositiveSpeeds() throws Exception {
    Path text = dir.resolve("tinyshakespeare.txt");
    Files.writeString(text, "First Citizen: Before we proceed any further, hear me speak. ".repeat(300)
        + "All: Speak, speak. Café – 😀\n".repeat(50));
    CliRun r = CliRun.of("bench", "--tokenizer", "--merges", "40", "--steps", "2", "--data", text.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode result = new ObjectMapper().readTree(r.out()).get("tokenizer");
    assertEquals(40, result.get("merges").asInt());
    assertEquals(Files.size(text), result.get("bytes").asLong());
    assertTrue(result.get("learnSeconds").asDouble() > 0);
    assertTrue(result.get("encodeMegabytesPerSecond").asDouble() > 0);
    assertTrue(result.get("decodeMegabytesPerCpuSecond").asDouble() > 0);
    double tokensPerByte = result.get("tokensPerByte").asDouble();
    assertTrue(tokensPerByte > 0.05 && tokensPerByte < 1, "40 merges shorten the repetitive text: " + tokensPerByte);
    CliRun.of("bench", "--tokenizer", "--merges", "0", "--data", text.toString()).assertOneErrorLine("--merges (0)");
  }

  @Test
  void unknownWorkloadAndBadStepsAreErrors() throws Exception {
    assertEquals(2, CliRun.of("bench", "--workload", "huge").exit());
    Path text = dir.resolve("t.txt");
    Files.writeString(text, "some text");
    assertEquals(2, CliRun.of("bench", "--data", text.toString(), "--steps", "0").exit());
  }
}
