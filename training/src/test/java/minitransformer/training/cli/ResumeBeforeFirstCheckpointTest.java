package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitransformer.training.TinyRuns;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 4: a run killed before its first checkpoint leaves config.yaml and an empty
 * metrics.jsonl; {@code train --resume RUN} starts it again from step 0 with that config and says so,
 * and ends where the same run trained straight through ends.
 */
class ResumeBeforeFirstCheckpointTest {
  @TempDir Path dir;

  @Test
  void aRunWithoutACheckpointStartsAgainFromStepZeroWithItsSavedConfig() throws IOException {
    Path config = TinyRuns.write(dir, "");
    // what a kill in the first minutes leaves: the resolved config and an empty metrics log
    Path run = dir.resolve("runs/killed");
    TrainingRun.start(ConfigLoader.load(config, List.of("run.name=killed"))).writeResolvedConfig();
    Files.writeString(run.resolve("metrics.jsonl"), "");
    assertTrue(TrainingRun.stoppedBeforeFirstCheckpoint(run));

    CliRun resumed = CliRun.of("train", "--quiet", "--resume", run.toString());
    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(resumed.err().startsWith("note: ") && resumed.err().contains("holds no checkpoint yet")
        && resumed.err().contains("starting it again from step 0 with its config.yaml"), resumed.err());
    assertEquals("step-000006", Files.readString(run.resolve("latest")).strip());

    CliRun straight = CliRun.of("train", "--quiet", "--config", config.toString(), "--run", "straight");
    assertEquals(0, straight.exit(), straight.err());
    assertEquals(valLoss(dir.resolve("runs/straight")), valLoss(run), 0.0, "the same run as one trained straight");
    assertEquals(straight.out(), resumed.out(), "the same evaluation lines");
  }

  @Test
  void aDirectoryWithoutConfigStillGetsTheOneLineError() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("runs/empty"));
    CliRun r = CliRun.of("train", "--resume", empty.toString());
    r.assertOneErrorLine("not a checkpoint or run directory");
  }

  private static double valLoss(Path run) throws IOException {
    JsonNode meta = new ObjectMapper().readTree(run.resolve("step-000006/meta.json").toFile());
    return meta.path("losses").path("last_val").asDouble();
  }
}
