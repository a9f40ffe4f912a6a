package minitransformer.training;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The full-disk tests run their program in a user namespace (`unshare -rm`) with a small tmpfs
 * mounted over their directory, so that a write really fails with "No space left on device".
 */
public final class SmallTmpfs {
  private SmallTmpfs() {}

  /** Skips the calling test, with the reason, where no tmpfs can be mounted that way here. */
  public static void assumeMountable() {
    Assumptions.assumeTrue(canMount(), "cannot mount a tmpfs in a user namespace (unshare -rm) here");
  }

  private static boolean canMount() {
    if (!new File("/usr/bin/unshare").canExecute() && !new File("/bin/unshare").canExecute()) return false;
    try {
      Process p = new ProcessBuilder("unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
