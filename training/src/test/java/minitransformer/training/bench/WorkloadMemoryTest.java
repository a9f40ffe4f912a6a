package minitransformer.training.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WorkloadMemoryTest {
  private static Workload.BuiltIn builtIn(String name) {
    return Workload.BUILT_IN.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void bigIsRefusedOnlyBelowItsMeasuredNeed() {
    Workload.BuiltIn big = builtIn("big");
    String line = big.memoryShortfall(3_000_000_000L);
    assertEquals(
        "the big workload needs about 6.0 GB of free memory and MemAvailable in /proc/meminfo is 3.0 GB", line);
    assertNull(big.memoryShortfall(8_000_000_000L));
    assertNull(big.memoryShortfall(-1), "unknown free memory does not block");
    assertNull(builtIn("char").memoryShortfall(1), "the small workloads are never refused");
    assertNull(builtIn("word").memoryShortfall(1));
  }

  @Test
  void memAvailableIsReadWhereProcExists() {
    long available = ResidentMemory.availableBytes();
    if (Files.exists(Path.of("/proc/meminfo"))) {
      assertTrue(available > 10_000_000L, "MemAvailable " + available);
    } else {
      assertEquals(-1, available);
    }
  }
}
