package minitransformer.framework.generate;

/**
 * How the next token is chosen.
 *
 * @param temperature divides the logits; 0 means greedy (the most likely token, lowest id on ties)
 * @param topK keep only the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probabilities reach p; 1 keeps all
 * @param seed seeds the generator that draws the tokens
 */
public record SamplingOptions(double temperature, int topK, double topP, long seed) {
  public SamplingOptions {
    if (!(temperature >= 0.0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature (" + temperature + ") must be >= 0");
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top_k (" + topK + ") must be >= 0 (0 = off)");
    }
    if (!(topP > 0.0 && topP <= 1.0)) {
      throw new IllegalArgumentException("top_p (" + topP + ") must be in (0, 1]");
    }
  }

  /** Greedy decoding. */
  public static SamplingOptions greedy() {
    return new SamplingOptions(0.0, 0, 1.0, 0L);
  }
}
