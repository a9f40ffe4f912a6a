package minitransformer.training.concurrent;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The program's own threads (training workers, the server's model and request threads): named, and
 * daemons, so that none of them ever keeps the JVM alive.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** One thread named name that runs what is submitted to it, in order. */
  public static ExecutorService single(String name) {
    return Executors.newSingleThreadExecutor(r -> daemon(r, name));
  }

  /** Threads named prefix-1, prefix-2, ... in the order they are made. */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> daemon(r, prefix + "-" + n.incrementAndGet());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
