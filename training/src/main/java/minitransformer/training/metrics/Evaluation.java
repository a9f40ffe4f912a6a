package minitransformer.training.metrics;

/**
 * Mean losses over evaluation batches of both splits at one step, in nats per token, with the
 * derived figures: bits per token (loss / ln 2), bits per byte of the UTF-8 text (bits per token
 * times the split's tokens per byte, as nanochat's {@code val_bpb}; comparable across tokenizers)
 * and perplexity (e^loss). For a character model a token is a character, so bits per token are bits
 * per character, and on ASCII text they equal bits per byte.
 */
public record Evaluation(
    long iter, double trainLoss, double valLoss, boolean characterLevel, TokensPerByte tokensPerByte) {
  private static final double LN2 = Math.log(2);

  public double trainBitsPerToken() {
    return trainLoss / LN2;
  }

  public double valBitsPerToken() {
    return valLoss / LN2;
  }

  public double trainBitsPerByte() {
    return trainBitsPerToken() * tokensPerByte.train();
  }

  public double valBitsPerByte() {
    return valBitsPerToken() * tokensPerByte.validation();
  }

  public double trainPerplexity() {
    return Math.exp(trainLoss);
  }

  public double valPerplexity() {
    return Math.exp(valLoss);
  }

  /** One line for the console and logs. */
  public String describe() {
    String unit = characterLevel ? "bits/char" : "bits/token";
    return String.format(
        java.util.Locale.ROOT,
        "step %d: train loss %.4f, val loss %.4f (val %.3f %s, %.3f bits/byte, perplexity %.2f)",
        iter, trainLoss, valLoss, valBitsPerToken(), unit, valBitsPerByte(), valPerplexity());
  }
}
