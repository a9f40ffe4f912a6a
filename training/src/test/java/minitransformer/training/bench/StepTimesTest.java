package minitransformer.training.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepTimesTest {
  @Test
  void medianQuartilesAndRangeAsNumpysDefaultPercentile() {
    // 10, 20, 30, 40, 1000 ms in shuffled order: numpy.percentile gives 20, 30, 40 for 25/50/75
    StepTimes t = StepTimes.ofNanos(new long[] {40_000_000, 10_000_000, 1_000_000_000, 30_000_000, 20_000_000});
    assertEquals(5, t.count());
    assertEquals(30.0, t.medianMs(), 1e-9);
    assertEquals(20.0, t.p25Ms(), 1e-9);
    assertEquals(40.0, t.p75Ms(), 1e-9);
    assertEquals(10.0, t.minMs(), 1e-9);
    assertEquals(1000.0, t.maxMs(), 1e-9);
  }

  @Test
  void evenCountInterpolates() {
    StepTimes t = StepTimes.ofNanos(new long[] {1_000_000, 2_000_000, 3_000_000, 4_000_000});
    assertEquals(2.5, t.medianMs(), 1e-9);
    assertEquals(1.75, t.p25Ms(), 1e-9);
  }

  @Test
  void noTimingsIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> StepTimes.ofNanos(new long[0]));
  }

  @Test
  void residentMemoryIsReadOnLinux() {
    ResidentMemory now = ResidentMemory.now();
    if (now.available()) {
      assertTrue(now.rssBytes() > 10_000_000, "a JVM with ND4J loaded holds more than 10 MB: " + now.rssBytes());
      assertTrue(now.peakBytes() >= now.rssBytes(), "VmHWM >= VmRSS");
    }
  }
}
