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
   * The mean losses, the batches spread over the replicas (batch i on graph i mod count) and summed in
   * batch order: the same figures for any number of replicas.
   */
  public Evaluation evaluate(Replicas replicas, long iter) {
    return evaluate(replicas, iter, () -> false);
  }

  /**
   * As {@link #evaluate(Replicas, long)}, abandoned (null) as soon as {@code abandon} says so between two
   * waves of batches: a stop need not wait for a whole evaluation. The random stream has then advanced
   * part of the way; the caller puts it back.
   */
  public Evaluation evaluate(Replicas replicas, long iter, BooleanSupplier abandon) {
    double trainLoss = meanLoss(replicas, trainBatches, abandon);
    if (Double.isNaN(trainLoss) && abandon.getAsBoolean()) {
      return null;
    }
    double valLoss = meanLoss(replicas, valBatches, abandon);
    if (Double.isNaN(valLoss) && abandon.getAsBoolean()) {
      return null;
    }
    return new Evaluation(iter, trainLoss, valLoss, characterLevel, tokensPerByte);
  }

  /** On the model alone. */
  public Evaluation evaluate(GPT model, long iter) {
    return evaluate(Replicas.single(model), iter);
  }

  /** The mean loss, or NaN when abandoned. */
  private double meanLoss(Replicas replicas, BatchSampler batches, BooleanSupplier abandon) {
    double sum = 0;
    for (int first = 0; first < iters; first += replicas.count()) {
      if (abandon.getAsBoolean()) {
        return Double.NaN;
      }
      List<Batch> wave = new ArrayList<>();
      for (int i = first; i < Math.min(iters, first + replicas.count()); i++) {
        wave.add(batches.next());
      }
      List<Double> losses = replicas.map(
          wave.size(),
          (graph, i) -> graph.loss(
              GPT.idsArray(wave.get(i).x(), wave.get(i).batchSize(), wave.get(i).blockSize()),
              GPT.idsArray(wave.get(i).y(), wave.get(i).batchSize(), wave.get(i).blockSize())));
      for (double loss : losses) {
        sum += loss;
      }
    }
    return sum / iters;
  }
}
