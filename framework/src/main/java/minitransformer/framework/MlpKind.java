package minitransformer.framework;

/** The position-wise feed-forward network of each block. */
public enum MlpKind {
  /** GELU(x·W_fc)·W_proj: GPT-2. */
  GELU,
  /** (SiLU(x·W_gate) ⊙ x·W_up)·W_down: Llama (Shazeer 2020). */
  SWIGLU,
  /** ReLU(x·W_fc)²·W_proj: Primer (So et al. 2021), nanochat, modded-nanogpt. */
  RELU2;

  /** The config spelling: gelu, swiglu, relu2. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The hidden width when the config gives none: 4C for gelu and relu2; for swiglu 8C/3 rounded
   * up to a multiple of 64, so that its three matrices hold about the parameters of the two 4C ones.
   */
  public int defaultHidden(int nEmbd) {
    if (this != SWIGLU) {
      return 4 * nEmbd;
    }
    long eightThirds = (8L * nEmbd + 2) / 3; // ⌈8C/3⌉
    return Math.toIntExact((eightThirds + 63) / 64 * 64);
  }
}
