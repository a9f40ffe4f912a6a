package minitransformer.training.metrics;

import minitransformer.datasets.Batch;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;

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

  public Evaluation evaluate(GPT model, long iter) {
    double trainLoss = meanLoss(model, trainBatches);
    double valLoss = meanLoss(model, valBatches);
    return new Evaluation(iter, trainLoss, valLoss, characterLevel, tokensPerByte);
  }

  private double meanLoss(GPT model, BatchSampler batches) {
    double sum = 0;
    for (int i = 0; i < iters; i++) {
      Batch b = batches.next();
      sum +=
          model.loss(
              GPT.idsArray(b.x(), b.batchSize(), b.blockSize()),
              GPT.idsArray(b.y(), b.batchSize(), b.blockSize()));
    }
    return sum / iters;
  }
}
