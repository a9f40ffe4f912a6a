package minitransformer.training.view;

import java.io.PrintWriter;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.StepMetrics;

/** Only the evaluation lines, one per evaluation (for logs and CI). */
public final class QuietView implements TrainingView {
  private final PrintWriter out;

  public QuietView(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void started(long startStep, long maxIters, double elapsedSeconds) {}

  @Override
  public void stepped(StepMetrics metrics) {}

  @Override
  public void evaluated(Evaluation evaluation) {
    out.println(evaluation.describe());
    out.flush();
  }

  @Override
  public void note(String line) {}

  @Override
  public void close() {
    out.flush();
  }
}
