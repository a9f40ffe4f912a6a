package minitransformer.datasets;

/** Builds tokenizers from text and saves/loads them exactly as JSON. */
public final class Tokenizers {
  private Tokenizers() {}

  /** Fits a tokenizer of the given spec to the text (the whole corpus). */
  public static Tokenizer fit(TokenizerSpec spec, String text) {
    throw new UnsupportedOperationException("skeleton: implemented in datasets");
  }

  /** A JSON document that {@link #fromJson} turns back into an equal tokenizer. */
  public static String toJson(Tokenizer tokenizer) {
    throw new UnsupportedOperationException("skeleton: implemented in datasets");
  }

  /** Throws {@link DataException} for a document that is not a tokenizer of a known kind. */
  public static Tokenizer fromJson(String json) {
    throw new UnsupportedOperationException("skeleton: implemented in datasets");
  }
}
