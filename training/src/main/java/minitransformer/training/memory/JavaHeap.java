package minitransformer.training.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;

/**
 * The Java heap's share of a training run's memory, chosen by the program rather than by JVM flags.
 *
 * <p>G1 grows the heap whenever its pauses take more than 1% of the time, and gives memory back only
 * at the end of a concurrent cycle, which a training loop that allocates steadily seldom starts: the
 * char bench's heap grew from 243 to 423 MB committed over 250 steps, and the resident memory with
 * it (issue 12). {@link #returnFreeMemoryWhileTraining()} sets G1's periodic collection to one second
 * through the JVM's management interface ({@code G1PeriodicGCInterval} is a manageable flag): a second
 * without a collection starts a concurrent cycle, whose end shrinks the heap to what
 * {@code MaxHeapFreeRatio} allows. A flag the user gave on the command line is left as it is.
 */
public final class JavaHeap {
  /** The periodic collection's interval in milliseconds (0 in the JVM: off). */
  static final long PERIODIC_GC_MILLIS = 1000;

  static final String PERIODIC_GC_FLAG = "G1PeriodicGCInterval";

  private JavaHeap() {}

  /**
   * Turns on G1's periodic collection (see the class comment). Does nothing with another collector,
   * another JVM, or a value set on the command line. Returns whether it set the flag.
   */
  public static boolean returnFreeMemoryWhileTraining() {
    try {
      HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (hotspot == null || !"true".equals(hotspot.getVMOption("UseG1GC").getValue())) {
        return false;
      }
      VMOption periodic = hotspot.getVMOption(PERIODIC_GC_FLAG);
      if (periodic.getOrigin() != VMOption.Origin.DEFAULT
          && !Long.toString(PERIODIC_GC_MILLIS).equals(periodic.getValue())) {
        return false; // the user's own choice
      }
      hotspot.setVMOption(PERIODIC_GC_FLAG, Long.toString(PERIODIC_GC_MILLIS));
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false; // not HotSpot (no such bean or flag): the collector keeps its own policy
    }
  }
}
