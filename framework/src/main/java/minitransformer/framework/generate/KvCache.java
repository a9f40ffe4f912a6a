package minitransformer.framework.generate;

/**
 * Incremental decoding: the keys and values of every position already read are kept, so a new token
 * costs one position's work instead of a forward pass over the whole context.
 *
 * <p>A cache holds at most block_size positions. With a learned or sinusoidal table added at the
 * input, positions are absolute, so the keys of a token depend on where it sits in the window: once
 * the window slides, every cached key is stale and the cache must be re-filled ({@link CachedSampler}
 * decides when). With rope or no positions a key depends only on relative positions, and a cache
 * that {@link #slides()} drops its oldest position on an append at block_size instead.
 */
public interface KvCache {
  /**
   * Forgets everything and reads ids at positions 0..n-1 in one batched forward pass.
   *
   * @param ids 1 to block_size token ids
   * @return the logits after the last id, [vocab_size]
   */
  double[] prefill(int[] ids);

  /**
   * Reads one more token at position {@link #length()}, attending to the cached keys and values.
   *
   * @return the logits after id, [vocab_size]
   * @throws IllegalStateException when the cache is empty, or already holds block_size positions and
   *     does not slide
   */
  double[] append(int id);

  /**
   * Whether {@link #append} at a full cache drops the oldest position and keeps going (the model's
   * keys do not depend on absolute positions: rope or none). Then the window slides at the cost of
   * one cached step, and every position attends to the last block_size positions at every layer
   * (sliding-window attention; see {@link JavaKvCache}).
   */
  default boolean slides() {
    return false;
  }

  /** The number of positions cached, 0 to block_size. */
  int length();
}
