package minitransformer.training.metrics;

/**
 * One training step as reported: its number (steps completed), the batch loss, the learning rate
 * used, the global gradient norm before clipping, the throughput and the training time so far.
 */
public record StepMetrics(
    long iter, double loss, double lr, double gradNorm, double tokensPerSec, double elapsedSeconds) {}
