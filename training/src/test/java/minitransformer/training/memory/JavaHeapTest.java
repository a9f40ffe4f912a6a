package minitransformer.training.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The training loops turn on G1's periodic collection themselves (no flag for the user to give),
 * and leave a value given on the command line, or another collector, alone.
 */
class JavaHeapTest {
  @Test
  void setsThePeriodicCollectionOnG1() {
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    assumeTrue("true".equals(hotspot.getVMOption("UseG1GC").getValue()), "the test JVM does not run G1");
    assertTrue(JavaHeap.returnFreeMemoryWhileTraining());
    assertEquals("1000", hotspot.getVMOption(JavaHeap.PERIODIC_GC_FLAG).getValue());
    assertTrue(JavaHeap.returnFreeMemoryWhileTraining(), "a second call (a second bench workload) sets it again");
  }

  @Test
  void leavesTheCommandLinesValueAndOtherCollectorsAlone() throws Exception {
    assertEquals("false 5000", child("-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=5000"));
    assertEquals("true 1000", child("-XX:+UseG1GC"));
    assertEquals("false -", child("-XX:+UseSerialGC"));
  }

  /** What {@link Probe} prints in a child JVM started with jvmOptions. */
  private static String child(String... jvmOptions) throws Exception {
    return ChildJvm.run(List.of(jvmOptions), Probe.class);
  }

  /** Prints whether the flag was set, and the flag's value afterwards ("-" without G1). */
  public static final class Probe {
    public static void main(String[] args) {
      boolean set = JavaHeap.returnFreeMemoryWhileTraining();
      HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      boolean g1 = "true".equals(hotspot.getVMOption("UseG1GC").getValue());
      System.out.println(set + " " + (g1 ? hotspot.getVMOption(JavaHeap.PERIODIC_GC_FLAG).getValue() : "-"));
    }
  }
}
