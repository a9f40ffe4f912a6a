package minitransformer.datasets;

/**
 * How to build a tokenizer from a corpus: the {@code data} section's tokenizer keys.
 *
 * <p>The word-level keys are ignored by the character tokenizer (its vocabulary is always every
 * character of the corpus), but they are still validated so a typo never passes silently.
 *
 * @param kind "char" or "word"
 * @param lowercase word level only: lower-case the text before splitting
 * @param maxVocab word level only: keep at most this many tokens, {@code <unk>} included (0 = no limit)
 * @param minCount word level only: drop words seen fewer times than this (1 = keep all)
 */
public record TokenizerSpec(String kind, boolean lowercase, int maxVocab, int minCount) {
  public static final String CHAR = "char";
  public static final String WORD = "word";

  public TokenizerSpec {
    if (!CHAR.equals(kind) && !WORD.equals(kind)) {
      throw new DataException("data.tokenizer must be \"char\" or \"word\", got "
          + (kind == null ? "nothing" : "\"" + kind + "\""));
    }
    if (maxVocab < 0 || maxVocab == 1) {
      throw new DataException("data.max_vocab must be 0 (no limit) or at least 2 (<unk> and one word), got "
          + maxVocab);
    }
    if (minCount < 1) {
      throw new DataException("data.min_count must be at least 1, got " + minCount);
    }
  }

  /** A character tokenizer (the word-level keys at their neutral values). */
  public static TokenizerSpec chars() {
    return new TokenizerSpec(CHAR, false, 0, 1);
  }

  /** A word tokenizer. */
  public static TokenizerSpec words(boolean lowercase, int maxVocab, int minCount) {
    return new TokenizerSpec(WORD, lowercase, maxVocab, minCount);
  }
}
