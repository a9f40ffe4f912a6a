package minitransformer.training.optim;

/**
 * The learning rate at each step: nanoGPT's {@code get_lr} (linear warm-up, then cosine decay to
 * min_lr at lr_decay_iters, then min_lr), or a constant after the same warm-up. With warmup_iters 0
 * the constant schedule is nanoGPT's {@code decay_lr = False}.
 */
public record LearningRateSchedule(
    Shape shape, double learningRate, double minLr, int warmupIters, int lrDecayIters) {

  public enum Shape {
    COSINE,
    CONSTANT
  }

  /** The rate for step {@code it} (0-based). */
  public double at(long it) {
    if (it < warmupIters) {
      return learningRate * (it + 1) / (warmupIters + 1);
    }
    if (shape == Shape.CONSTANT) {
      return learningRate;
    }
    if (it > lrDecayIters) {
      return minLr;
    }
    double decayRatio = (double) (it - warmupIters) / (lrDecayIters - warmupIters);
    double coeff = 0.5 * (1.0 + Math.cos(Math.PI * decayRatio)); // from 1 down to 0
    return minLr + coeff * (learningRate - minLr);
  }
}
