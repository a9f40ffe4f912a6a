package minitransformer.training;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Runs code with System.out discarded. SameDiff M2.1 prints "Added differentiated op X" to
 * System.out, one line per op, when it first builds the gradient function (see the SameDiff
 * notes); the command's own output goes through picocli's writer and is not affected.
 */
final class SilencedStdout {
  private SilencedStdout() {}

  static synchronized <T> T call(Supplier<T> code) {
    PrintStream original = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      return code.get();
    } finally {
      System.setOut(original);
    }
  }
}
