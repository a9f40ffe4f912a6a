package minitransformer.training.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
  @Test
  void aSingleThreadIsANamedDaemon() throws Exception {
    ExecutorService single = DaemonThreads.single("model-0");
    try {
      Thread t = single.submit(Thread::currentThread).get();
      assertEquals("model-0", t.getName());
      assertTrue(t.isDaemon(), "never keeps the JVM alive");
    } finally {
      single.shutdownNow();
    }
  }

  @Test
  void numberedThreadsCountFromOne() {
    ThreadFactory serve = DaemonThreads.numbered("serve");
    Thread first = serve.newThread(() -> {});
    Thread second = serve.newThread(() -> {});
    assertEquals("serve-1", first.getName());
    assertEquals("serve-2", second.getName());
    assertTrue(first.isDaemon() && second.isDaemon());
  }
}
