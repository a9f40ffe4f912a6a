package minitransformer.training.bench;

import java.util.List;
import java.util.Map;

/**
 * What the benchmark measured for one workload.
 *
 * @param shape the model and batch that were measured
 * @param step the full training step (batch, forward and backward, clipping, AdamW)
 * @param phaseMedianMs the median milliseconds of each part of the step, in step order
 * @param tokensPerSecond B·T tokens divided by the median step time
 * @param memory resident memory during the timed steps
 * @param sampling generation speed after training
 * @param referenceMs PyTorch's step time for this workload, NaN if none
 */
public record BenchResult(
    String name,
    String title,
    Shape shape,
    StepTimes step,
    Map<String, Double> phaseMedianMs,
    double tokensPerSecond,
    Memory memory,
    Sampling sampling,
    double referenceMs) {

  /** Sizes: parameters, vocabulary V, batch B, context T (tokens per step = B·T). */
  /** @param workers the graphs computing a step side by side (training.workers) */
  public record Shape(long parameters, int vocabSize, int batchSize, int blockSize, int workers) {}

  /**
   * @param peakDuringBytes the largest VmRSS sampled after each timed step
   * @param endBytes VmRSS after the last step
   * @param processPeakBytes VmHWM: the peak since the JVM started (includes earlier workloads)
   * @param samples VmRSS after step 1 and every --rss-every steps (empty without it)
   * @param passBytes the arrays the workers' replayed passes held after the last step (their
   *     activations at the pass's peak and the gradients they output)
   * @param estimatedActivationBytes the memory estimate's activations for these passes
   * @param estimatedBytes the memory estimate of the whole step, runtime included
   */
  public record Memory(
      long peakDuringBytes,
      long endBytes,
      long processPeakBytes,
      List<RssSample> samples,
      long passBytes,
      long estimatedActivationBytes,
      long estimatedBytes) {
    public Memory {
      samples = List.copyOf(samples);
    }
  }

  /** VmRSS after a step (1-based, warm-up steps included). */
  public record RssSample(int step, long rssBytes) {}

  /**
   * Sampling speed: tokens per second generating {@code tokens} tokens one at a time from a
   * one-token prompt (by default twice the block, so the context slides): with a full-context forward
   * per token, through the KV cache sliding exactly (a full forward per token once the block is full)
   * and through the KV cache as sample uses it by default (re-filling half the block once it is
   * full). NaN when not measured.
   */
  public record Sampling(
      int tokens,
      double fullForwardTokensPerSecond,
      double kvCacheExactSlideTokensPerSecond,
      double kvCacheTokensPerSecond) {}

  /** This step's median over PyTorch's, NaN without a reference. */
  public double ratioToReference() {
    return step.medianMs() / referenceMs;
  }
}
