package minitransformer.training.step;

import minitransformer.datasets.Batch;
import minitransformer.datasets.BatchSampler;
import minitransformer.framework.GPT;
import minitransformer.framework.exec.LossAndGradients;
import minitransformer.training.optim.GradientClipping;
import minitransformer.training.optim.Optimizer;

/**
 * The one training step, as nanoGPT's train.py loop body: the next batch, the loss and gradients
 * (accumulated over {@link MicroBatches} when a batch's activations would not fit the budget),
 * clipping by global norm, an optimizer update ({@code training.optimizer}). The trainer, {@code bench} and the NumPy reference test
 * all call this; none of them writes the step out again.
 *
 * <p>A step whose loss or gradient norm is not finite leaves the weights untouched ({@link
 * Result#updated()} false) and says which one failed; the caller decides what to do about it.
 */
public final class TrainingStep {
  /**
   * What one step did.
   *
   * @param loss the mean training loss of the batch
   * @param gradNorm the global gradient norm before clipping (NaN when the loss was not finite)
   * @param updated whether the optimizer was applied (false when the loss or the norm was not finite)
   * @param timings how long each phase took
   */
  public record Result(Batch batch, double loss, double gradNorm, boolean updated, Timings timings) {}

  /** Nanoseconds per phase: the batch, the forward and backward passes, clipping, the optimizer update (named "adamw"). */
  public record Timings(long batch, long forwardBackward, long clip, long adamw) {
    public static final String[] PHASES = {"batch", "forward_backward", "clip", "adamw"};

    public long total() {
      return batch + forwardBackward + clip + adamw;
    }

    /** The phases in {@link #PHASES} order. */
    public long[] asArray() {
      return new long[] {batch, forwardBackward, clip, adamw};
    }
  }

  private final Replicas replicas;
  private final Optimizer optimizer;
  private final BatchSampler batches;
  private final double gradClip;
  private final int microBatch;

  /**
   * @param gradClip the maximum global gradient norm (0: no clipping)
   * @param microBatch the most sequences per forward/backward pass (see {@link MicroBatches#size})
   */
  public TrainingStep(Replicas replicas, Optimizer optimizer, BatchSampler batches, double gradClip, int microBatch) {
    this.replicas = replicas;
    this.optimizer = optimizer;
    this.batches = batches;
    this.gradClip = gradClip;
    this.microBatch = microBatch;
  }

  /** On the model alone, every pass on the calling thread. */
  public TrainingStep(GPT model, Optimizer optimizer, BatchSampler batches, double gradClip, int microBatch) {
    this(Replicas.single(model), optimizer, batches, gradClip, microBatch);
  }

  /**
   * Slices of the batch spread over the replicas, each within its share of {@link
   * MicroBatches#ACTIVATION_BUDGET_BYTES} ({@link MicroBatches#size(minitransformer.framework.GPTConfig,
   * int, int, long, int)}).
   */
  public static TrainingStep withinActivationBudget(
      Replicas replicas, Optimizer optimizer, BatchSampler batches, double gradClip) {
    int microBatch = MicroBatches.size(
        replicas.model().config(), batches.batchSize(), batches.blockSize(), MicroBatches.ACTIVATION_BUDGET_BYTES,
        replicas.count());
    return new TrainingStep(replicas, optimizer, batches, gradClip, microBatch);
  }

  /** The most sequences per forward/backward pass; the batch size when the batch is not split. */
  public int microBatch() {
    return microBatch;
  }

  public int batchSize() {
    return batches.batchSize();
  }

  /** Sequence length T. */
  public int time() {
    return batches.blockSize();
  }

  /** One step at learning rate lr, with dropout masks drawn from dropoutSeed. */
  public Result run(long dropoutSeed, double lr) {
    int B = batches.batchSize();
    int T = batches.blockSize();
    long start = System.nanoTime();
    Batch batch = batches.next();
    long batched = System.nanoTime();
    LossAndGradients lg = MicroBatches.lossAndGradients(
        replicas, GPT.idsArray(batch.x(), B, T), GPT.idsArray(batch.y(), B, T), dropoutSeed, microBatch);
    long computed = System.nanoTime();
    if (!Double.isFinite(lg.loss())) {
      lg.release();
      return new Result(batch, lg.loss(), Double.NaN, false, new Timings(batched - start, computed - batched, 0, 0));
    }
    double gradNorm = GradientClipping.clipByGlobalNorm(lg.gradients(), gradClip);
    long clipped = System.nanoTime();
    if (!Double.isFinite(gradNorm)) {
      lg.release();
      return new Result(
          batch, lg.loss(), gradNorm, false, new Timings(batched - start, computed - batched, clipped - computed, 0));
    }
    optimizer.step(lg.gradients(), lr);
    // Freed now, as the pass freed its intermediates: nothing of the step waits for the Java GC.
    lg.release();
    long end = System.nanoTime();
    return new Result(
        batch, lg.loss(), gradNorm, true,
        new Timings(batched - start, computed - batched, clipped - computed, end - clipped));
  }
}
