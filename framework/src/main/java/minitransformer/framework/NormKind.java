package minitransformer.framework;

/** The normalization before each sublayer and before the head. */
public enum NormKind {
  /** (x - mean) / √(var + ε) · γ (+ β): GPT-2, nanoGPT. */
  LAYERNORM,
  /** x / √(mean(x²) + ε) · γ, no centring and no β: Llama (Zhang and Sennrich 2019). */
  RMSNORM;

  /** The config spelling: layernorm, rmsnorm. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
