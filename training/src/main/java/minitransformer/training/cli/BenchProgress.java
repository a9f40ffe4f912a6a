package minitransformer.training.cli;

import java.io.PrintWriter;
import java.util.Locale;
import minitransformer.training.bench.Benchmark;

/**
 * What {@code bench} shows of its timed steps: with --verbose a line each; on a terminal one progress
 * bar per workload, redrawn in place; in a log or a pipe one line when a workload's steps are done.
 */
final class BenchProgress implements Benchmark.StepListener {
  private static final int BAR = 30;

  private final PrintWriter err;
  private final boolean verbose;
  private final boolean terminal;

  BenchProgress(PrintWriter err, boolean verbose, boolean terminal) {
    this.err = err;
    this.verbose = verbose;
    this.terminal = terminal;
  }

  @Override
  public void stepped(String workload, int step, int steps, double milliseconds, double loss) {
    if (verbose) {
      err.printf(Locale.ROOT, "%s: step %d/%d %.1f ms (loss %.4f)%n", workload, step, steps, milliseconds, loss);
    } else if (terminal) {
      int done = (int) ((long) BAR * step / steps);
      err.printf(Locale.ROOT, "\r%s: [%s%s] %d/%d steps, last %.0f ms", workload, "=".repeat(done),
          " ".repeat(BAR - done), step, steps, milliseconds);
      if (step == steps) {
        err.println();
      }
    } else if (step == steps) {
      err.printf(Locale.ROOT, "%s: %d steps timed%n", workload, steps);
    }
    err.flush();
  }
}
