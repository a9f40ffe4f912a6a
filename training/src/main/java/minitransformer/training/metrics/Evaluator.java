package minitransformer.training.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import minitransformer.datasets.Batch;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.training.step.Replicas;

/**
 * nanoGPT's {@code estimate_loss}: the mean eval-mode loss (dropout off) over a number of random
 * batches of the train split and of the validation split. The batches come from a random stream of
 * their own, so evaluating never changes the sequence of training batches.
 */
public final class Evaluator {
  private final BatchSampler trainBatches;
  private final BatchSampler valBatches;
  private final int iters;
  private final boolean characterLevel;
  private final TokensPerByte tokensPerByte;

  /** @param tokensPerByte of each split, for bits per byte */
  public Evaluator(
      int[] train, int[] validation, int batchSize, int blockSize, int iters, SplitMix64 random,
      boolean characterLevel, TokensPerByte tokensPerByte) {
    this.trainBatches = new BatchSampler(train, batchSize, blockSize, random);
    this.valBatches = new BatchSampler(validation, batchSize, blockSize, random);
    this.iters = iters;
    this.characterLevel = characterLevel;
    this.tokensPerByte = tokensPerByte;
  }

  /**
   * The mean losses. Both splits' batches are drawn first, in the order of one split after the other,
   * and then cut into one contiguous run per replica (graph k takes the k-th share of the 2·iters
   * batches), so every worker stays busy to the end with no wait between batches; each batch's loss
   * is kept and the means are summed in batch order: the same figures for any number of replicas.
   */
  public Evaluation evaluate(Replicas replicas, long iter) {
    return evaluate(replicas, iter, () -> false);
  }

  /**
   * As {@link #evaluate(Replicas, long)}, abandoned (null) as soon as {@code abandon} says so between
   * two batches of any worker: a stop need not wait for a whole evaluation. The random stream has
   * then advanced past both splits' batches; the caller puts it back.
   */
  public Evaluation evaluate(Replicas replicas, long iter, BooleanSupplier abandon) {
    List<Batch> batches = new ArrayList<>(2 * iters); // train's iters, then validation's
    for (int i = 0; i < iters; i++) {
      batches.add(trainBatches.next());
    }
    for (int i = 0; i < iters; i++) {
      batches.add(valBatches.next());
    }
    double[] losses = new double[batches.size()];
    int workers = Math.min(replicas.count(), batches.size());
    List<Boolean> finished = replicas.map(workers, (graph, k) -> {
      for (int i = share(k, workers, batches.size()); i < share(k + 1, workers, batches.size()); i++) {
        if (abandon.getAsBoolean()) {
          return false;
        }
        Batch b = batches.get(i);
        losses[i] = graph.loss(
            GPT.idsArray(b.x(), b.batchSize(), b.blockSize()), GPT.idsArray(b.y(), b.batchSize(), b.blockSize()));
      }
      return true;
    });
    if (finished.contains(false)) {
      return null;
    }
    return new Evaluation(
        iter, mean(losses, 0, iters), mean(losses, iters, 2 * iters), characterLevel, tokensPerByte);
  }

  /** On the model alone. */
  public Evaluation evaluate(GPT model, long iter) {
    return evaluate(Replicas.single(model), iter);
  }

  /** Where the k-th of workers contiguous shares of n batches begins. */
  private static int share(int k, int workers, int n) {
    return (int) ((long) k * n / workers);
  }

  /** The mean of losses[from, to), summed in batch order. */
  private static double mean(double[] losses, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += losses[i];
    }
    return sum / (to - from);
  }
}
