package minitransformer.training.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * How the C allocator treats the memory that libnd4j frees, chosen by the program rather than by
 * {@code MALLOC_*} environment variables.
 *
 * <p>Every op output of a training step is a fresh native buffer, freed a few ops later. glibc's
 * defaults hand large ones back to the kernel: a buffer above the mmap threshold (at most 32 MB) is
 * its own mapping, unmapped by {@code free}, and a worker thread's arena deletes or shrinks its heap
 * whenever the top of it is free. The next buffer is then new memory, and the first write to each of
 * its pages is a page fault. On the virtual machines this project is measured on a fault costs about
 * 10 µs: allocating and freeing a [768, 11466] float array took 90 ms there against 1 ms with the
 * pages kept, and the word step spent a third of its time faulting (issue 12).
 *
 * <p>{@link #keepFreedMemoryMapped()} therefore tells glibc, through {@code mallopt}, to serve every
 * allocation from its arenas (no mmap per buffer), never to trim the main heap, and to keep a 64 MB
 * pad at the top of every heap, which stops a thread's arena from deleting its heap. Freed buffers
 * are reused as they are. The peak resident memory stays what the step needs at its fullest, since
 * that memory is touched anyway; only its release after the peak is given up.
 */
public final class NativeMemory {
  // mallopt parameters, from glibc's malloc.h.
  static final int M_TRIM_THRESHOLD = -1;
  static final int M_TOP_PAD = -2;
  static final int M_MMAP_MAX = -4;

  /** Larger than any gap between a heap's top and its end (a thread's heap is at most 64 MB). */
  static final int TOP_PAD_BYTES = 64 << 20;

  private static volatile boolean applied;

  private NativeMemory() {}

  private interface CLibrary extends Library {
    int mallopt(int param, int value);
  }

  /**
   * Sets glibc's allocator to keep freed memory mapped (see the class comment). Returns whether every
   * setting was accepted; false where there is no glibc (macOS, musl), which keeps its own policy.
   * Safe to call more than once and at any time: the settings apply to later calls of malloc and free.
   */
  public static synchronized boolean keepFreedMemoryMapped() {
    if (applied) {
      return true;
    }
    try {
      CLibrary libc = Native.loadLibrary("c", CLibrary.class);
      boolean ok = libc.mallopt(M_MMAP_MAX, 0) == 1;
      ok &= libc.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1;
      ok &= libc.mallopt(M_TOP_PAD, TOP_PAD_BYTES) == 1;
      applied = ok;
      return ok;
    } catch (UnsatisfiedLinkError e) {
      return false; // no libc with mallopt: the allocator keeps its own policy
    }
  }
}
