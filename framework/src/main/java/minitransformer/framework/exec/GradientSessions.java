package minitransformer.framework.exec;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Two workarounds around SameDiff M2.1's gradient function and its sessions
 * (framework/docs/samediff-m2.1.md).
 */
final class GradientSessions {
  private GradientSessions() {}

  /**
   * Runs the call that first builds the gradient function with System.out discarded: M2.1's
   * SameDiff.createGradFunction prints "Added differentiated op X" there, one line per op, with a
   * plain System.out.println (framework/docs/samediff-m2.1.md, "Training API"). Later calls reuse
   * the function and print nothing.
   */
  static synchronized <T> T building(Supplier<T> call) {
    PrintStream original = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      return call.get();
    } finally {
      System.setOut(original);
    }
  }

  /**
   * Drops SameDiff's gradient sessions ({@link Sessions#release}). M2.1 caches one OpContext per op
   * in the session and they keep every input and output array of the last step reachable, so
   * without this the arrays of step n are still alive while step n+1 allocates its own: the peak
   * was twice a step's intermediates (measured 5.6 GB against 3.0 GB for a 2-layer, C 384, T 256,
   * B 16 step). A new session is built on the next call.
   */
  static void release(SameDiff sd) {
    SameDiff grad = sd.getFunction("grad");
    if (grad != null) {
      Sessions.release(grad);
    }
  }
}
