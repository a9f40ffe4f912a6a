package minitransformer.framework;

/** How a position is added to a token embedding. */
public enum PositionalEncoding {
  /** A trained table {@code wpe} of shape [block_size, n_embd] (GPT-2, nanoGPT). */
  LEARNED,
  /** The fixed sine/cosine table of "Attention Is All You Need"; not trained. */
  SINUSOIDAL
}
