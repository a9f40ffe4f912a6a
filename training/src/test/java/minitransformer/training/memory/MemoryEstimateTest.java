package minitransformer.training.memory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryEstimateTest {
  @TempDir Path dir;

  @Test
  void theBigBenchWorkloadIsEstimatedNearItsMeasuredPeak() {
    // 6 layers, 6 heads, C 384, T 256, B 64: 2.4 GB estimated, peak RSS 2.2 GB measured (8 sequences
    // in flight: one worker's slices of 8, or two workers' slices of 4)
    GPTConfig big = new GPTConfig(65, 256, 6, 6, 384, PositionalEncoding.LEARNED, false, true, 0.2);
    long estimate = MemoryEstimate.forTraining(big, 64).totalBytes();
    assertTrue(estimate > 2_200_000_000L && estimate < 3_300_000_000L, "estimate " + estimate);
  }

  @Test
  void weightsGradientsAndMomentsScaleWithTheParameters() {
    GPTConfig huge = new GPTConfig(400, 32, 2, 4, 32768, PositionalEncoding.LEARNED, false, true, 0);
    MemoryEstimate e = MemoryEstimate.forTraining(huge, 32);
    long weights = 4 * ParameterCount.of(huge).total();
    assertEquals(weights, e.parts().get("weights"));
    assertEquals(2 * weights, e.parts().get("AdamW moments"));
    assertTrue(e.totalBytes() > 4 * weights, e.describe());
    assertEquals("model.n_embd", e.shrinkingKeys().get(0));
  }

  @Test
  void refusesOnlyAboveTheAvailableMemoryAndNeverWhenItIsUnknown() {
    GPTConfig tiny = new GPTConfig(11, 8, 2, 2, 16, PositionalEncoding.LEARNED, false, true, 0);
    MemoryEstimate e = MemoryEstimate.forTraining(tiny, 4);
    long total = e.totalBytes();
    assertDoesNotThrow(() -> e.refuseAbove(() -> total, "x", "y"));
    assertDoesNotThrow(() -> e.refuseAbove(() -> -1, "x", "y"));
    MemoryException refused = assertThrows(MemoryException.class, () -> e.refuseAbove(() -> total - 1, "x", "y"));
    assertTrue(refused.getMessage().startsWith("x needs an estimated "), refused.getMessage());
    assertTrue(refused.getMessage().endsWith(" y"), refused.getMessage());
  }

  @Test
  void memAvailableIsReadFromMeminfo() throws IOException {
    Path meminfo = dir.resolve("meminfo");
    Files.writeString(meminfo, "MemTotal:       24000000 kB\nMemFree:   100 kB\nMemAvailable:   20000000 kB\n");
    assertEquals(20_000_000L * 1024, AvailableMemory.fromMeminfo(meminfo));
    Files.writeString(meminfo, "MemTotal:       24000000 kB\n");
    assertEquals(-1, AvailableMemory.fromMeminfo(meminfo));
    assertEquals(-1, AvailableMemory.fromMeminfo(dir.resolve("missing")));
  }
}
