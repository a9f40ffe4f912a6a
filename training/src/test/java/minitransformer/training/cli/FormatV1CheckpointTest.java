package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointMeta;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written before meta.json carried the model config (format version 1, see
 * src/test/resources/checkpoints/format-v1/README.md) still loads, with the architecture taken from
 * its config_yaml and tokenizer, and the commands answer as the version that wrote it did.
 */
class FormatV1CheckpointTest {
  private static final GPTConfig ARCHITECTURE =
      new GPTConfig(34, 8, 2, 2, 16, PositionalEncoding.SINUSOIDAL, false, false, 0.1);

  @TempDir Path tmp;

  @Test
  void loadsWithTheArchitectureOfItsConfig() throws Exception {
    Path run = copyFixture();
    assertEquals(1, CheckpointMeta.formatVersion(run.resolve("step-000006")));
    TrainingState state = CheckpointStore.load(run, w -> {});
    assertEquals(6, state.step());
    assertEquals(ARCHITECTURE, state.model());
    assertEquals(7312, state.parameterCount());
  }

  @Test
  void inspectExportAndPredictAnswerAsTheVersionThatWroteIt() throws Exception {
    Path run = copyFixture();
    CliRun inspect = CliRun.of("inspect", "--checkpoint", run.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    assertTrue(inspect.out().contains("(format minitransformer-checkpoint v1, model.npz checksum verified)"), inspect.out());
    assertTrue(inspect.out().contains("model           2 layers, 2 heads, width 16, block 8, sinusoidal positions,"
        + " bias false, tied embeddings false, dropout 0.1"), inspect.out());

    Path npz = tmp.resolve("export/model.npz");
    CliRun export = CliRun.of("export", "--checkpoint", run.toString(), "--out", npz.toString());
    assertEquals(0, export.exit(), export.err());
    assertArrayEquals(Files.readAllBytes(fixture().resolve("expected/model_config.json")),
        Files.readAllBytes(tmp.resolve("export/model_config.json")), "model_config.json, byte for byte");

    CliRun predict = CliRun.of("predict", "--checkpoint", run.toString(), "--prompt", "All");
    assertEquals(0, predict.exit(), predict.err());
    List<String> expected = Files.readAllLines(fixture().resolve("expected/predict-All.txt"));
    List<String> actual = predict.out().lines().skip(1).toList();
    assertEquals(expected.size(), actual.size(), predict.out());
    for (int i = 0; i < expected.size(); i++) {
      String[] e = expected.get(i).trim().split("\\s+");
      String[] a = actual.get(i).trim().split("\\s+");
      assertEquals(e.length, a.length, actual.get(i));
      for (int k = 0; k < e.length; k++) {
        if (i > 0 && k >= 3) { // probability and log p: the same model and prompt, within float rounding
          assertEquals(Double.parseDouble(e[k]), Double.parseDouble(a[k]), 2e-6, actual.get(i));
        } else {
          assertEquals(e[k], a[k], actual.get(i));
        }
      }
    }
  }

  private static Path fixture() throws URISyntaxException {
    return Path.of(FormatV1CheckpointTest.class.getResource("/checkpoints/format-v1").toURI());
  }

  /** A copy of the fixture's run directory (loading must not depend on where it lies). */
  private Path copyFixture() throws IOException, URISyntaxException {
    Path run = tmp.resolve("old");
    Path step = run.resolve("step-000006");
    Files.createDirectories(step);
    try (Stream<Path> files = Files.list(fixture().resolve("step-000006"))) {
      for (Path f : files.toList()) Files.copy(f, step.resolve(f.getFileName()));
    }
    Files.writeString(run.resolve("latest"), "step-000006\n");
    return run;
  }
}
