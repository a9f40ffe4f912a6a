package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitransformer.training.TinyRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resume that changes settings says so, one line per key (old → new), and the run keeps its history:
 * the original config in config.original.yaml and one line per resume in resumes.jsonl. The
 * architecture still cannot change.
 */
class ResumeChangesTest {
  @TempDir Path dir;

  private static List<String> notes(CliRun r) {
    return r.err().lines().filter(l -> l.startsWith("note: changed on resume: ")).toList();
  }

  @Test
  void changedSettingsAreSaidAndKept() throws Exception {
    Path config = TinyRuns.write(dir, "");
    CliRun first = CliRun.of("train", "--quiet", "--config", config.toString(), "--run", "knobs");
    assertEquals(0, first.exit(), first.err());
    Path run = dir.resolve("runs/knobs");
    String original = Files.readString(run.resolve("config.yaml"));

    CliRun second = CliRun.of("train", "--quiet", "--resume", run.toString(),
        "--set", "training.learning_rate=0.02", "--set", "training.max_iters=9");
    assertEquals(0, second.exit(), second.err());
    assertEquals(List.of("note: changed on resume: training.max_iters: 6 → 9",
        "note: changed on resume: training.learning_rate: 0.01 → 0.02"), notes(second));
    assertEquals(original, Files.readString(run.resolve("config.original.yaml")), "the original config is kept");
    assertTrue(Files.readString(run.resolve("config.yaml")).contains("learning_rate: 0.02"));

    CliRun third = CliRun.of("train", "--quiet", "--resume", run.toString(), "--set", "training.max_iters=12");
    assertEquals(0, third.exit(), third.err());
    assertEquals(List.of("note: changed on resume: training.max_iters: 9 → 12"), notes(third));
    assertEquals(original, Files.readString(run.resolve("config.original.yaml")), "never rewritten");

    List<String> lines = Files.readAllLines(run.resolve("resumes.jsonl"));
    assertEquals(2, lines.size(), "one line per resume");
    JsonNode a = new ObjectMapper().readTree(lines.get(0));
    assertEquals(6, a.get("step").asLong());
    assertEquals("step-000006", a.get("from").asText());
    assertEquals(0.01, a.at("/changes/training.learning_rate/old").asDouble());
    assertEquals(0.02, a.at("/changes/training.learning_rate/new").asDouble());
    JsonNode b = new ObjectMapper().readTree(lines.get(1));
    assertEquals(9, b.get("step").asLong());
    assertEquals(List.of("training.max_iters"), iterable(b.get("changes").fieldNames()));

    CliRun architecture = CliRun.of("train", "--resume", run.toString(), "--set", "model.n_layer=2");
    architecture.assertOneErrorLine("model.n_layer cannot change on resume");
    assertEquals(2, Files.readAllLines(run.resolve("resumes.jsonl")).size());
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> out = new java.util.ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }
}
