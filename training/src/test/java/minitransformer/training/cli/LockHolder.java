package minitransformer.training.cli;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A separate process that holds an operating-system lock on one file until it is killed. */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.tryLock();
    System.out.println(lock == null ? "busy" : "locked");
    System.out.flush();
    Thread.sleep(600_000);
  }

  /** Starts a holder of {@code file} and waits until it holds the lock. */
  static Process start(Path file) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
        file.toString()).redirectErrorStream(true).start();
    String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
    if (!"locked".equals(line)) {
      p.destroyForcibly();
      throw new IllegalStateException("the holder did not lock " + file + ": " + line);
    }
    return p;
  }
}
