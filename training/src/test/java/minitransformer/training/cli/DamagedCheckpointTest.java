package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import minitransformer.training.TinyRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged latest checkpoint (its model.npz truncated or altered) does not block a run: resuming it,
 * or reading it, falls back to the newest intact checkpoint with a warning that names the damaged one,
 * which is left as it is. A damaged checkpoint named explicitly is still refused in one line.
 */
class DamagedCheckpointTest {
  @TempDir Path dir;

  private Path trainedRun() throws Exception {
    Path config = TinyRuns.write(dir, "");
    CliRun r = CliRun.of("train", "--quiet", "--config", config.toString(), "--run", "hurt");
    assertEquals(0, r.exit(), r.err());
    return dir.resolve("runs/hurt"); // checkpoints at steps 3 and 6
  }

  @Test
  void aTruncatedLatestCheckpointFallsBackToTheNewestIntactOne() throws Exception {
    Path run = trainedRun();
    Path model = run.resolve("step-000006/model.npz");
    byte[] bytes = Files.readAllBytes(model);
    Files.write(model, Arrays.copyOf(bytes, bytes.length / 2));

    CliRun resumed = CliRun.of("train", "--quiet", "--resume", run.toString(), "--set", "training.max_iters=9");
    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(resumed.err().contains("warning: " + run.resolve("step-000006") + " is damaged"), resumed.err());
    assertTrue(resumed.err().contains("loading the newest intact checkpoint, step-000003"), resumed.err());
    assertEquals("step-000009", Files.readString(run.resolve("latest")).trim());
  }

  @Test
  void anAlteredLatestCheckpointFallsBackForReadersToo() throws Exception {
    Path run = trainedRun();
    Path model = run.resolve("step-000006/model.npz");
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length - 9] ^= 0x5A; // same size, other bytes: the checksum catches it
    Files.write(model, bytes);

    CliRun predict = CliRun.of("predict", "--checkpoint", run.toString(), "--prompt", "ab");
    assertEquals(0, predict.exit(), predict.err());
    assertTrue(predict.err().contains(run.resolve("step-000006") + " is damaged"), predict.err());
    assertTrue(predict.out().contains("step 3"), predict.out());

    CliRun explicit = CliRun.of("predict", "--checkpoint", run.resolve("step-000006").toString(), "--prompt", "ab");
    explicit.assertOneErrorLine("model.npz");
  }
}
