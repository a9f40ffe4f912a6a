package minitransformer.training.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With the program's allocator policy, a large buffer freed and allocated again is the same,
 * already-touched memory (no page faults); with glibc's defaults it is a fresh mapping that faults in
 * page by page. Each case runs in a child JVM, since the policy is process-wide and cannot be undone.
 */
class NativeMemoryTest {
  /** 48 MB: above glibc's largest mmap threshold (32 MB), so by default every such buffer is its own mapping. */
  private static final long BYTES = 48L << 20;

  private static final long PAGES = BYTES / 4096;

  @Test
  void aFreedBufferIsReusedWithoutPageFaults() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/thread-self/stat")), "no /proc/thread-self: not Linux");
    String[] kept = child("keep").split(" ");
    assumeTrue(!"unsupported".equals(kept[0]), "this C library has no mallopt (not glibc)");
    assertEquals("true", kept[0], "every mallopt setting is accepted");
    long keptFaults = Long.parseLong(kept[1]);
    long defaultFaults = Long.parseLong(child("default").split(" ")[1]);
    assertTrue(defaultFaults > PAGES / 2,
        "with glibc's defaults the buffer comes back as new memory: " + defaultFaults + " faults for " + PAGES + " pages");
    assertTrue(keptFaults < PAGES / 20,
        "with the program's policy the freed pages are reused: " + keptFaults + " faults for " + PAGES + " pages");
  }

  /** What {@link Probe} prints in a child JVM: whether the policy was set, and the faults of the second cycle. */
  private static String child(String mode) throws Exception {
    return ChildJvm.run(List.of(), Probe.class, mode);
  }

  /**
   * Allocates, fills and frees a buffer twice with libc's malloc and free, and prints whether the
   * policy was set ("keep" mode) and the calling thread's minor page faults during the second cycle.
   */
  public static final class Probe {
    public static void main(String[] args) throws IOException {
      String set = "false";
      if (args[0].equals("keep")) {
        set = NativeMemory.keepFreedMemoryMapped() ? "true" : "unsupported";
      }
      cycle();
      long before = minorFaults();
      cycle();
      System.out.println(set + " " + (minorFaults() - before));
    }

    private static void cycle() {
      long address = Native.malloc(BYTES);
      if (address == 0) {
        throw new OutOfMemoryError("malloc(" + BYTES + ")");
      }
      new Pointer(address).setMemory(0, BYTES, (byte) 1);
      Native.free(address);
    }

    /** Field 10 of /proc/thread-self/stat, counted after the command name (which may hold spaces). */
    private static long minorFaults() throws IOException {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[7]);
    }
  }
}
