package minitransformer.datasets;

/**
 * Draws batches at random offsets of a token stream: x = ids[i .. i+T), y = ids[i+1 .. i+T+1).
 * The offsets come from the given {@link SplitMix64}, whose state the caller captures and restores.
 *
 * <p>As nanoGPT's {@code get_batch}: {@code i = torch.randint(len(data) - block_size)} for each of the
 * B rows, i.e. {@code i = random.nextInt(n - T)}, drawn row by row, so the last usable offset is
 * {@code n - T - 1} and {@code y}'s last token is {@code ids[n - 1]}.
 */
public final class BatchSampler {
  private final int[] tokens;
  private final int batchSize; // B
  private final int blockSize; // T
  private final SplitMix64 random;

  public BatchSampler(int[] tokens, int batchSize, int blockSize, SplitMix64 random) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    if (blockSize < 1) {
      throw new IllegalArgumentException("block size must be at least 1, got " + blockSize);
    }
    if (tokens.length < blockSize + 1) {
      throw new IllegalArgumentException("a stream of " + tokens.length + " tokens is shorter than block size + 1 = "
          + (blockSize + 1));
    }
    this.tokens = tokens.clone();
    this.batchSize = batchSize;
    this.blockSize = blockSize;
    this.random = random;
  }

  /** The next batch; advances the shared random state by B draws. */
  public Batch next() {
    int B = batchSize;
    int T = blockSize;
    int[] x = new int[B * T]; // (B, T) row-major
    int[] y = new int[B * T]; // (B, T) row-major
    for (int b = 0; b < B; b++) {
      int i = random.nextInt(tokens.length - T); // i in [0, n - T)
      System.arraycopy(tokens, i, x, b * T, T);
      System.arraycopy(tokens, i + 1, y, b * T, T);
    }
    return new Batch(B, T, x, y);
  }

  public int batchSize() {
    return batchSize;
  }

  public int blockSize() {
    return blockSize;
  }
}
