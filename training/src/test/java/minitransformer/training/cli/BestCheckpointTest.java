package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import minitransformer.training.TinyRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 3: {@code best} names the checkpoint whose own validation loss is the lowest of all the
 * run's evaluations (nanoGPT's rule: save when an evaluation improves the best), and meta.json and
 * inspect say the same loss. Evaluations every step, a checkpoint only at the end by interval: the
 * lowest validation loss falls between checkpoint_interval saves, which left best on a worse checkpoint.
 */
class BestCheckpointTest {
  @TempDir Path dir;

  @Test
  void bestIsTheCheckpointOfTheLowestEvaluation() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun r = CliRun.of("train", "--quiet", "--config", config.toString(), "--set", "training.eval_interval=1",
        "--set", "training.checkpoint_interval=100", "--set", "training.max_iters=12",
        "--set", "training.learning_rate=0.3", "--set", "training.min_lr=0.3", "--set", "training.keep_last=1");
    assertEquals(0, r.exit(), r.err());
    Path run = dir.resolve("runs/tiny");
    ObjectMapper json = new ObjectMapper();
    double lowest = Double.POSITIVE_INFINITY;
    long lowestStep = -1;
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonNode m = json.readTree(line);
      if (m.path("type").asText().equals("eval") && m.path("iter").asLong() > 0
          && m.path("val_loss").asDouble() < lowest) {
        lowest = m.path("val_loss").asDouble();
        lowestStep = m.path("iter").asLong();
      }
    }
    assertTrue(Files.exists(run.resolve("best")), "no best marker, though evaluations improved on step 0's");
    String best = Files.readString(run.resolve("best")).strip();
    assertEquals(String.format(Locale.ROOT, "step-%06d", lowestStep), best, "best marker");
    JsonNode bestMeta = json.readTree(run.resolve(best).resolve("meta.json").toFile());
    assertEquals(lowest, bestMeta.path("losses").path("last_val").asDouble(), 0.0, "the best checkpoint's own val");
    assertEquals(lowest, bestMeta.path("losses").path("best_val").asDouble(), 0.0);
    String latest = Files.readString(run.resolve("latest")).strip();
    JsonNode latestMeta = json.readTree(run.resolve(latest).resolve("meta.json").toFile());
    assertEquals(lowest, latestMeta.path("losses").path("best_val").asDouble(), 0.0, "best_val of the latest");
    CliRun inspect = CliRun.of("inspect", "--checkpoint", run.toString());
    assertTrue(inspect.out().contains(String.format(Locale.ROOT, "best val %.4f", lowest)), inspect.out());
    // keep_last 1: the latest and the best are what is left
    List<String> kept;
    try (var s = Files.list(run)) {
      kept = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).sorted().toList();
    }
    assertEquals(best.equals(latest) ? List.of(best) : List.of(best, latest).stream().sorted().toList(), kept);
  }
}
