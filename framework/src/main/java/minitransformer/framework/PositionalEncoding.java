package minitransformer.framework;

/** How the model knows where a token is. */
public enum PositionalEncoding {
  /** A trained table {@code wpe} of shape [block_size, n_embd] added at the input (GPT-2, nanoGPT). */
  LEARNED,
  /** The fixed sine/cosine table of "Attention Is All You Need" added at the input; not trained. */
  SINUSOIDAL,
  /**
   * Rotary position embedding (RoFormer, Llama): nothing is added at the input; q and k of every
   * head are rotated by angles proportional to their position inside attention, so a score depends
   * only on the distance between query and key.
   */
  ROPE,
  /** No position information at all; only the causal mask tells tokens apart (NoPE). */
  NONE;

  /** Whether a [block_size, C] table is added to the token embeddings. */
  public boolean addsTable() {
    return this == LEARNED || this == SINUSOIDAL;
  }

  /**
   * Whether a key depends only on its token and its past, not on its absolute position, so that a
   * KV cache can slide past block_size without re-reading (RoPE: relative; none: no position).
   */
  public boolean keysAreTranslationInvariant() {
    return this == ROPE || this == NONE;
  }

  /** The config spelling: learned, sinusoidal, rope, none. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
