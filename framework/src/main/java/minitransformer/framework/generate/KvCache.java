package minitransformer.framework.generate;

/**
 * Incremental decoding: the keys and values of every position already read are kept, so a new token
 * costs one position's work instead of a forward pass over the whole context.
 *
 * <p>A cache holds at most block_size positions. Positions are absolute (the learned or sinusoidal
 * table is added to the token embedding at the input), so the keys of a token depend on where it
 * sits in the window: once the window slides, every cached key is stale and the cache must be
 * re-filled. {@link CachedSampler} decides when.
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
   * @throws IllegalStateException when the cache is empty or already holds block_size positions
   */
  double[] append(int id);

  /** The number of positions cached, 0 to block_size. */
  int length();
}
