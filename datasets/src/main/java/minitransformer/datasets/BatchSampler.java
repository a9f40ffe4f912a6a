package minitransformer.datasets;

/**
 * Draws batches at random offsets of a token stream: x = ids[i .. i+T), y = ids[i+1 .. i+T+1).
 * The offsets come from the given {@link SplitMix64}, whose state the caller captures and restores.
 */
public final class BatchSampler {
  // CONTRACT (skeleton): implemented in datasets.

  public BatchSampler(int[] tokens, int batchSize, int blockSize, SplitMix64 random) {
    throw new UnsupportedOperationException("skeleton: implemented in datasets");
  }

  public Batch next() {
    throw new UnsupportedOperationException("skeleton: implemented in datasets");
  }
}
