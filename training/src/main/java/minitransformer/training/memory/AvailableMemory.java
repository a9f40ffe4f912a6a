package minitransformer.training.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much memory a command may still allocate: by default MemAvailable from /proc/meminfo, the
 * kernel's estimate of what can be allocated without swapping. A test gives its own figure.
 */
@FunctionalInterface
public interface AvailableMemory {
  /** Bytes available now; -1 when unknown (no /proc, as on macOS): nothing is then refused. */
  long bytes();

  /** What this figure is called in a message. */
  default String source() {
    return "MemAvailable in /proc/meminfo";
  }

  AvailableMemory SYSTEM = () -> fromMeminfo(Path.of("/proc/meminfo"));

  /** Unknown: nothing is refused (for a caller that has checked its own estimate already). */
  AvailableMemory UNKNOWN = () -> -1;

  /** The MemAvailable line of a meminfo file, in bytes; -1 if the file or the line is missing. */
  static long fromMeminfo(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemAvailable:")) {
          String digits = line.replaceAll("[^0-9]", "");
          return digits.isEmpty() ? -1 : Long.parseLong(digits) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
