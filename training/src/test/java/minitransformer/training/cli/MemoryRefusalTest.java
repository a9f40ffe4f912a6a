package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import minitransformer.training.TinyRuns;
import minitransformer.training.bench.ResidentMemory;
import minitransformer.training.memory.AvailableMemory;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 1: a model estimated to need more memory than MemAvailable is refused with one line
 * (estimate, memory available, the keys that shrink it) and exit 2 before any graph is built; params,
 * which builds nothing, counts it anyway.
 */
class MemoryRefusalTest {
  @TempDir Path dir;

  /** 25.8 billion parameters: building it would take 100 GB for the weights alone. */
  private static final String HUGE = "model.n_embd=32768";

  @Test
  void aConfigFarLargerThanTheMachineIsRefusedBeforeAnythingIsAllocated() throws IOException {
    Path config = TinyRuns.write(dir, "");
    long peakBefore = ResidentMemory.now().peakBytes();
    CliRun r = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> CliRun.of("train", "--config", config.toString(), "--set", HUGE, "--set", "model.n_layer=24"));
    r.assertOneErrorLine("this run needs an estimated");
    assertTrue(r.err().contains("MemAvailable in /proc/meminfo is"), r.err());
    assertTrue(r.err().contains("Lower model.n_embd, model.n_layer"), r.err());
    assertTrue(r.err().contains("nothing was built"), r.err());
    // nothing written, and the process did not grow by the model's weights (it would by ~1.2 TB)
    assertFalse(Files.exists(dir.resolve("runs/tiny")), "no run directory for a refused run");
    long peakAfter = ResidentMemory.now().peakBytes();
    if (peakBefore > 0) {
      assertTrue(peakAfter - peakBefore < 1_000_000_000L, "VmHWM grew by " + (peakAfter - peakBefore) + " bytes");
    }
  }

  @Test
  void theAvailableMemoryDecidesAndIsReadBeforeTheGraphIsBuilt() throws IOException {
    Path config = TinyRuns.write(dir, "");
    AtomicInteger asked = new AtomicInteger();
    AvailableMemory tight = () -> {
      asked.incrementAndGet();
      return 50_000_000L; // 50 MB: less than the runtime's own share of the tiny model's estimate
    };
    CliRun refused = CliRun.of(tight, "train", "--config", config.toString());
    refused.assertOneErrorLine("MemAvailable in /proc/meminfo is 50 MB");
    assertEquals(1, asked.get());
    assertFalse(Files.exists(dir.resolve("runs/tiny/config.yaml")), "refused before the run directory is written");

    AvailableMemory plenty = () -> 64_000_000_000L;
    CliRun trained = CliRun.of(plenty, "train", "--quiet", "--config", config.toString());
    assertEquals(0, trained.exit(), trained.err());
  }

  @Test
  void batchAndContextAreNamedWhenActivationsDominate() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun r = CliRun.of(() -> 1_000_000_000L, "train", "--config", config.toString(),
        "--set", "model.block_size=256", "--set", "training.batch_size=512", "--set", "model.n_layer=8");
    r.assertOneErrorLine("Lower training.batch_size, model.block_size");
  }

  @Test
  void commandsThatLoadACheckpointAreRefusedToo() throws IOException {
    Path run = TinyTrainedModel.run();
    AvailableMemory tight = () -> 50_000_000L;
    for (String[] args : new String[][] {
        {"predict", "--checkpoint", run.toString(), "--prompt", "the apple"},
        {"sample", "--checkpoint", run.toString(), "--prompt", "the apple", "--tokens", "3"},
        {"attention", "--checkpoint", run.toString(), "--prompt", "the apple"},
        {"similarity", "--checkpoint", run.toString(), "--words", "apple,orange"}}) {
      CliRun r = CliRun.of(tight, args);
      r.assertOneErrorLine("needs an estimated");
      assertTrue(r.err().contains("too large for this machine"), args[0] + ": " + r.err());
    }
  }

  @Test
  void paramsCountsAnySizeBecauseItBuildsNothing() throws IOException {
    Path tiny = TinyRuns.write(dir, "");
    Path huge = dir.resolve("huge.yaml");
    Files.writeString(huge, Files.readString(tiny).replace("n_embd: 16", "n_embd: 32768"));
    CliRun r = CliRun.of(() -> 1_000_000L, "params", "--config", huge.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("width C = 32768"), r.out());
  }
}
