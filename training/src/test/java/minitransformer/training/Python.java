package minitransformer.training;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that compare against NumPy: a python that can import numpy. {@code python3} on PATH may
 * be a pyenv shim without numpy while Debian's {@code /usr/bin/python3} has it, so both are tried.
 */
public final class Python {
  private static final List<String> CANDIDATES = List.of("python3", "/usr/bin/python3", "python");
  private static volatile String found;
  private static volatile boolean searched;

  private Python() {}

  /** The first candidate that imports numpy, or null. */
  public static synchronized String withNumpy() {
    if (!searched) {
      found = CANDIDATES.stream().filter(Python::importsNumpy).findFirst().orElse(null);
      searched = true;
    }
    return found;
  }

  public static boolean hasNumpy() {
    return withNumpy() != null;
  }

  /**
   * Skips the test when no python with numpy is found; under {@code CI=true}, where .ci/run
   * installs numpy, fails instead, so the comparison can never silently stop running.
   */
  public static void requireNumpy() {
    if (hasNumpy()) return;
    String why = "no python with numpy found (tried " + String.join(", ", CANDIDATES) + ")";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(why + ", and CI=true: the NumPy comparisons must run in CI");
    }
    Assumptions.abort(why);
  }

  private static boolean importsNumpy(String python) {
    try {
      Process p = new ProcessBuilder(python, "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
