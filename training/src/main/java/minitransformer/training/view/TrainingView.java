package minitransformer.training.view;

import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.StepMetrics;

/** What the user sees while training: a progress bar with lines above it, or the lines alone. */
public interface TrainingView extends AutoCloseable {

  /** Training runs from startStep to maxIters; elapsedSeconds were spent in earlier sessions. */
  void started(long startStep, long maxIters, double elapsedSeconds);

  void stepped(StepMetrics metrics);

  /** An evaluation line: always shown, also in quiet mode. */
  void evaluated(Evaluation evaluation);

  /** A note (a checkpoint saved, the best so far): shown unless quiet. */
  void note(String line);

  @Override
  void close();
}
