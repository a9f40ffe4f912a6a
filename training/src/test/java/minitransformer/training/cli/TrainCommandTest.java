package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import minitransformer.training.TinyRuns;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.metrics.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The train command end to end through Main.commandLine(), in a temporary directory. */
class TrainCommandTest {

  @TempDir Path dir;

  @Test
  void trainsATinyConfigAndWritesItsFiles() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun result = CliRun.of("train", "--config", config.toString(), "--run", "e2e");
    assertEquals(0, result.exit(), result.err());
    Path runDir = dir.resolve("runs/e2e");

    // the resolved config, readable back, with the --run name
    Path resolved = runDir.resolve("config.yaml");
    assertTrue(Files.exists(resolved));
    var reread = ConfigLoader.load(resolved, List.of());
    assertEquals("e2e", reread.run().name());
    assertEquals(dir.resolve("corpus.txt").toAbsolutePath(), reread.data().path());

    // metrics: a step line every log_interval (2), an eval line at 0, 3 and 6
    List<JsonNode> metrics = MetricsLog.read(runDir.resolve("metrics.jsonl"));
    List<Long> stepIters =
        metrics.stream().filter(m -> m.path("type").asText().equals("step")).map(m -> m.path("iter").asLong()).toList();
    List<Long> evalIters =
        metrics.stream().filter(m -> m.path("type").asText().equals("eval")).map(m -> m.path("iter").asLong()).toList();
    assertEquals(List.of(2L, 4L, 6L), stepIters);
    assertEquals(List.of(0L, 3L, 6L), evalIters);
    JsonNode step = metrics.stream().filter(m -> m.path("type").asText().equals("step")).findFirst().orElseThrow();
    for (String key : List.of("loss", "lr", "grad_norm", "tokens_per_sec", "elapsed")) {
      assertTrue(step.path(key).isNumber(), key + " in " + step);
    }
    JsonNode eval = metrics.stream().filter(m -> m.path("type").asText().equals("eval")).findFirst().orElseThrow();
    assertEquals(eval.path("val_loss").asDouble() / Math.log(2), eval.path("val_bpt").asDouble(), 1e-9);
    // a character model on ASCII text: one byte per token, so bits per byte are bits per character
    assertTrue(TinyRuns.corpusText().chars().allMatch(c -> c < 0x80), "the tiny corpus is ASCII");
    for (JsonNode e : metrics.stream().filter(m -> m.path("type").asText().equals("eval")).toList()) {
      assertEquals(e.path("val_bpt").asDouble(), e.path("val_bpb").asDouble(), 1e-6);
      assertEquals(e.path("train_bpt").asDouble(), e.path("train_bpb").asDouble(), 1e-6);
    }
    assertEquals(Math.exp(eval.path("val_loss").asDouble()), eval.path("val_ppl").asDouble(), 1e-9);

    // the loss curve is a PNG
    byte[] png = Files.readAllBytes(runDir.resolve("loss_curve.png"));
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));

    // checkpoints at 3 and 6, latest marks 6
    assertTrue(Files.exists(runDir.resolve("step-000003/meta.json")));
    assertTrue(Files.exists(runDir.resolve("step-000006/meta.json")));
    assertEquals("step-000006", Files.readString(runDir.resolve("latest")).trim());

    // what the user sees after training
    assertTrue(result.out().contains("step 6: train loss"), result.out());
    assertTrue(result.out().contains("sample (5 tokens"), result.out());
    assertTrue(result.out().contains("next-token predictions:\n  \"ab\" -> "), result.out());
  }

  @Test
  void quietPrintsOnlyEvaluationLines() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun result = CliRun.of("train", "--config", config.toString(), "--quiet");
    assertEquals(0, result.exit(), result.err());
    List<String> lines = result.out().lines().toList();
    assertEquals(3, lines.size(), result.out());
    assertTrue(lines.stream().allMatch(l -> l.matches("step \\d+: train loss .*")), result.out());
  }

  @Test
  void resumeContinuesTheRunAndItsLog() throws IOException {
    Path config = TinyRuns.write(dir, "");
    assertEquals(0, CliRun.of("train", "--config", config.toString(), "--quiet", "--set", "training.max_iters=3").exit());
    Path runDir = dir.resolve("runs/tiny");
    CliRun resumed = CliRun.of("train", "--resume", runDir.toString(), "--quiet", "--set", "training.max_iters=6");
    assertEquals(0, resumed.exit(), resumed.err());
    List<Long> evalIters =
        MetricsLog.read(runDir.resolve("metrics.jsonl")).stream()
            .filter(m -> m.path("type").asText().equals("eval"))
            .map(m -> m.path("iter").asLong())
            .toList();
    assertEquals(List.of(0L, 3L, 6L), evalIters, "appended, no second evaluation at step 3");
    assertTrue(Files.exists(runDir.resolve("step-000006/meta.json")));

    // the same command again starts a new run beside the earlier one, which stays as it was
    byte[] earlierLog = Files.readAllBytes(runDir.resolve("metrics.jsonl"));
    CliRun again = CliRun.of("train", "--config", config.toString(), "--quiet", "--set", "training.max_iters=1");
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.err().contains("this run writes to"), again.err());
    assertTrue(Files.exists(dir.resolve("runs/tiny-2/step-000001/meta.json")));
    assertArrayEquals(earlierLog, Files.readAllBytes(runDir.resolve("metrics.jsonl")), "the earlier run was touched");

    // an explicitly named run into a directory with checkpoints is refused
    CliRun named = CliRun.of("train", "--config", config.toString(), "--run", "tiny");
    assertEquals(2, named.exit());
    assertTrue(named.err().startsWith("error: " + runDir + " already holds checkpoints"), named.err());
  }

  @Test
  void dryRunPrintsConfigAndParametersAndWritesNothing() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun result = CliRun.of("train", "--config", config.toString(), "--dry-run");
    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains("n_layer: 1"), result.out());
    assertTrue(result.out().contains("h0/attn/W_Q"), result.out());
    assertTrue(result.out().lines().anyMatch(l -> l.startsWith("total")), result.out());
    assertFalse(Files.exists(dir.resolve("runs")));
  }

  private void assertUserError(CliRun result, String expectedStart) {
    assertEquals(2, result.exit(), result.out() + result.err());
    assertTrue(result.err().startsWith("error: " + expectedStart), result.err());
    assertEquals(1, result.err().lines().count(), "one line, no stack trace: " + result.err());
  }

  @Test
  void badInputIsOneLineAndExitCodeTwo() throws IOException {
    Path config = TinyRuns.write(dir, "");
    assertUserError(
        CliRun.of("train", "--config", config.toString(), "--set", "training.learning_rat=1"),
        "--set training.learning_rat=1: training.learning_rat is not a known key (did you mean training.learning_rate?)");
    assertUserError(
        CliRun.of("train", "--config", config.toString(), "--set", "model.n_head=3"),
        "--set model.n_head=3: model.n_embd must be divisible by model.n_head (3), got 16");
    Files.writeString(dir.resolve("typo.yaml"), Files.readString(config).replace("max_iters:", "max_iter:"));
    assertUserError(
        CliRun.of("train", "--config", dir.resolve("typo.yaml").toString()),
        dir.resolve("typo.yaml") + ": training.max_iter is not a known key (did you mean training.max_iters?)");
    assertUserError(
        CliRun.of("train", "--config", config.toString(), "--set", "data.path=" + dir.resolve("missing.txt")),
        "corpus file " + dir.resolve("missing.txt") + " does not exist");
    assertUserError(CliRun.of("train", "--resume", dir.resolve("nothing").toString()), dir.resolve("nothing") + ": no such");
    assertUserError(
        CliRun.of("train", "--resume", dir.toString(), "--config", config.toString()),
        "--config and --resume cannot be combined");
    // no --config: configs/default.yaml relative to the working directory (absent in the module directory), and
    // tests run from classes, not a jar: the error says what to do
    assertUserError(CliRun.of("train"), Path.of("configs", "default.yaml") + ": no such config file in "
        + Path.of("").toAbsolutePath() + "; run from the repository root or pass --config FILE");
  }

  @Test
  void verboseShowsTheStackTrace() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun result = CliRun.of("train", "--config", config.toString(), "--set", "model.n_layer=0", "--verbose");
    assertEquals(2, result.exit());
    assertTrue(result.err().startsWith("error: "), result.err());
    assertTrue(result.err().contains("at minitransformer."), result.err());
  }

  /** Issue 13, item 8: a mistyped subcommand or option gets picocli's suggestion, on the one error line. */
  @Test
  void aMistypedCommandOrOptionGetsASuggestion() {
    CliRun command = CliRun.of("trian");
    command.assertOneErrorLine("(did you mean train?)");
    CliRun option = CliRun.of("train", "--confg", "x.yaml");
    option.assertOneErrorLine("did you mean --config?");
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun result = CliRun.of("train", "--no-such-option");
    assertEquals(2, result.exit());
    assertTrue(result.err().contains("Unknown option: '--no-such-option'"), result.err());
  }
}
