package minitransformer.training;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** For tests that compare against NumPy: whether python3 with numpy can be run here. */
public final class Python {
  private Python() {}

  public static boolean hasNumpy() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
