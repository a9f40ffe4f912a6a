package minitransformer.training.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
    // steps 1, 2 and 4 of the 4 run (1 warm-up + 3 timed)
    assertEquals(3, result.get("memory").get("samples").size());
    if (Files.exists(Path.of("/proc/self/status"))) {
      assertTrue(result.get("memory").get("peakDuringBytes").asLong() > 10_000_000);
    }
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
