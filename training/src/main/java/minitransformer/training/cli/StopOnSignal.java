package minitransformer.training.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during training: a shutdown hook asks the loop to stop after its current step, then waits
 * until the command has saved a checkpoint and said how to resume ({@link #close}). The JVM then
 * exits with the signal's status, 130 for SIGINT.
 */
final class StopOnSignal implements AutoCloseable {
  /** The longest the hook waits for the step and the checkpoint before the JVM exits anyway. */
  private static final long WAIT_MINUTES = 10;

  private final Thread hook;
  private final CountDownLatch finished = new CountDownLatch(1);

  StopOnSignal(Runnable requestStop, PrintWriter out) {
    this.hook =
        new Thread(
            () -> {
              out.println();
              out.println("stopping: finishing the current step (an evaluation under way is abandoned), then saving"
                  + " what was trained ...");
              out.flush();
              requestStop.run();
              try {
                finished.await(WAIT_MINUTES, TimeUnit.MINUTES);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "stop-training-on-signal");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Lets a waiting hook return (the JVM exits) and unregisters it when no shutdown is under way. */
  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shutdownInProgress) {
      // the hook is running: it returns now that finished is counted down
    }
  }
}
