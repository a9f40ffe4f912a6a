package minitransformer.training.metrics;

import minitransformer.datasets.Corpus;

/**
 * Tokens per byte of UTF-8 text in each split, to turn a loss per token into bits per byte.
 *
 * @param train train tokens / bytes of the text they cover
 * @param validation validation tokens / bytes of the text they cover
 */
public record TokensPerByte(double train, double validation) {
  /** One token per byte, as a character model on ASCII text has. */
  public static final TokensPerByte ONE = new TokensPerByte(1, 1);

  public TokensPerByte {
    if (!(train > 0) || !(validation > 0)) {
      throw new IllegalArgumentException("tokens per byte must be positive, got " + train + " and " + validation);
    }
  }

  /** The corpus's splits: tokens over the bytes they cover ({@link Corpus#trainBytes()}). */
  public static TokensPerByte of(Corpus corpus) {
    return new TokensPerByte((double) corpus.trainSize() / corpus.trainBytes(),
        (double) corpus.validationSize() / corpus.validationBytes());
  }
}
