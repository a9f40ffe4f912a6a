package minitransformer.training.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The native thread setup, chosen by the program rather than by the user's shell.
 *
 * <p>Left alone, ND4J sizes libnd4j's thread pool and the OpenMP team (which OpenBLAS, built with
 * OpenMP, follows) from {@code OMP_NUM_THREADS}, or from the core count when it is unset: two threads
 * on two cores, a step up to 2.4× slower than one thread, and losses that differ bit for bit between
 * the two (issue 12). libnd4j reads the variable once, when it loads, and ignores
 * {@code Environment.setMaxThreads} afterwards (a no-op in M2.1). So {@link #apply()} writes
 * {@code OMP_NUM_THREADS=1} into the process environment (libc {@code setenv}, through JNA, which ND4J
 * already ships) before ND4J loads, then sets the calling thread's OpenMP count to one as well.
 *
 * <p>OpenMP's count set here is per thread: it holds for the thread that calls {@link #apply()} (the
 * command line's main thread, which runs graph 0); other threads, such as the workers of
 * training/step/Replicas that run the other graphs, take the environment's, which is 1 by then.
 */
public final class NativeThreads {
  /**
   * Threads for libnd4j's pool and for OpenMP (which OpenBLAS follows): one, deterministic and the
   * fastest measured on 2 cores (two OpenMP threads for the GEMMs alone lost that A/B).
   */
  private static final int THREADS = 1;

  private NativeThreads() {}

  /** Loads ND4J (if it is not loaded yet) with one native thread per calling thread. */
  public static void apply() {
    setenv("OMP_NUM_THREADS", Integer.toString(THREADS));
    // Nd4j.getEnvironment() loads the backend, which reads the variable (a no-op if it was loaded before).
    var environment = Nd4j.getEnvironment();
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(THREADS);
    // ND4J's BLAS wrapper sets OpenBLAS's count from Java's (unchanged) view of the variable when it is built.
    Nd4j.factory().blas().setMaxThreads(THREADS);
    environment.setMaxThreads(THREADS);
    environment.setMaxMasterThreads(THREADS);
  }

  /** libc's setenv, seen by native code that calls getenv later; Java's own System.getenv does not change. */
  private interface CLibrary extends Library {
    int setenv(String name, String value, int overwrite);
  }

  private static void setenv(String name, String value) {
    try {
      Native.loadLibrary("c", CLibrary.class).setenv(name, value, 1);
    } catch (UnsatisfiedLinkError e) {
      // No libc to call (not Linux or macOS): ND4J keeps the environment's thread count; bench prints it.
    }
  }

  /** The thread counts in force for the calling thread, for bench's header. */
  static String describe() {
    var ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
    var environment = Nd4j.getEnvironment();
    return String.format(
        Locale.ROOT, "OpenMP %d, libnd4j %d (master %d)",
        ops.ompGetMaxThreads(), environment.maxThreads(), environment.maxMasterThreads());
  }
}
