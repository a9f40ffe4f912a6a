package minitransformer.training.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.training.memory.AvailableMemory;

/**
 * The process's resident memory as Linux reports it in /proc/self/status: VmRSS (now) and VmHWM
 * (the peak since the process started). ND4J's native buffers count here but not in the Java heap,
 * so this is the number that matters. -1 where /proc is not available.
 */
public record ResidentMemory(long rssBytes, long peakBytes) {
  private static final Path STATUS = Path.of("/proc/self/status");

  public static ResidentMemory now() {
    long rss = -1;
    long hwm = -1;
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          rss = kilobytes(line) * 1024;
        } else if (line.startsWith("VmHWM:")) {
          hwm = kilobytes(line) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return new ResidentMemory(-1, -1);
    }
    return new ResidentMemory(rss, hwm);
  }

  /** MemAvailable from /proc/meminfo (what can be allocated without swapping), -1 if unknown. */
  public static long availableBytes() {
    return AvailableMemory.SYSTEM.bytes();
  }

  public boolean available() {
    return rssBytes >= 0;
  }

  /** "VmRSS:     123456 kB" -> 123456. */
  private static long kilobytes(String line) {
    String digits = line.replaceAll("[^0-9]", "");
    return digits.isEmpty() ? -1 : Long.parseLong(digits);
  }
}
