package minitransformer.training.view;

import java.io.PrintWriter;
import java.util.Locale;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.StepMetrics;

/**
 * Whole lines for output that is not a terminal (a log file, a pipe, CI): evaluations, notes, and a
 * step line every 5% of the run, where a progress bar would fill the log with carriage-return frames.
 */
public final class LogView implements TrainingView {
  private static final int STEP_LINES = 20;

  private final PrintWriter out;
  private long maxIters;
  private long every = 1;

  public LogView(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void started(long startStep, long maxIters, double elapsedSeconds) {
    this.maxIters = maxIters;
    this.every = Math.max(1, maxIters / STEP_LINES);
  }

  @Override
  public void stepped(StepMetrics m) {
    if (m.iter() % every == 0 || m.iter() == maxIters) {
      out.println(String.format(Locale.ROOT, "step %d/%d: loss %.4f, lr %.2e, %,.0f tokens/s, %.0f s",
          m.iter(), maxIters, m.loss(), m.lr(), m.tokensPerSec(), m.elapsedSeconds()));
      out.flush();
    }
  }

  @Override
  public void evaluated(Evaluation evaluation) {
    note(evaluation.describe());
  }

  @Override
  public void note(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public void close() {
    out.flush();
  }
}
