package minitransformer.datasets;

import java.nio.file.Path;

/**
 * How to build a tokenizer from a corpus: the {@code data} section's tokenizer keys.
 *
 * <p>Keys of one kind are ignored by the others (the character tokenizer's vocabulary is always every
 * character of the corpus), but they are still validated so a typo never passes silently.
 *
 * @param kind "char", "word" or "bpe"
 * @param lowercase word level only: lower-case the text before splitting
 * @param maxVocab word level only: keep at most this many tokens, {@code <unk>} included (0 = no limit)
 * @param minCount word level only: drop words seen fewer times than this (1 = keep all)
 * @param vocabSize BPE only: 256 byte tokens plus this many minus 256 merges (0 = unset; required
 *     unless merges come from a file, where it keeps the file's first vocabSize - 256 merges)
 * @param merges BPE only: read the merges from this file instead of learning them (null = learn)
 */
public record TokenizerSpec(String kind, boolean lowercase, int maxVocab, int minCount, int vocabSize,
    Path merges) {
  public static final String CHAR = "char";
  public static final String WORD = "word";
  public static final String BPE = BpeTokenizer.KIND;

  public TokenizerSpec {
    if (!CHAR.equals(kind) && !WORD.equals(kind) && !BPE.equals(kind)) {
      throw new DataException("data.tokenizer must be \"char\", \"word\" or \"bpe\", got "
          + (kind == null ? "nothing" : "\"" + kind + "\""));
    }
    if (maxVocab < 0 || maxVocab == 1) {
      throw new DataException("data.max_vocab must be 0 (no limit) or at least 2 (<unk> and one word), got "
          + maxVocab);
    }
    if (minCount < 1) {
      throw new DataException("data.min_count must be at least 1, got " + minCount);
    }
    if (vocabSize != 0 && vocabSize < BpeTokenizer.BYTES) {
      throw new DataException("data.vocab_size must be at least " + BpeTokenizer.BYTES
          + " (the byte values), got " + vocabSize);
    }
    if (BPE.equals(kind) && vocabSize == 0 && merges == null) {
      throw new DataException("data.tokenizer: bpe needs data.vocab_size (e.g. 512) or data.merges (a file)");
    }
  }

  /** Without the BPE keys. */
  public TokenizerSpec(String kind, boolean lowercase, int maxVocab, int minCount) {
    this(kind, lowercase, maxVocab, minCount, 0, null);
  }

  /** A character tokenizer (the word-level keys at their neutral values). */
  public static TokenizerSpec chars() {
    return new TokenizerSpec(CHAR, false, 0, 1);
  }

  /** A word tokenizer. */
  public static TokenizerSpec words(boolean lowercase, int maxVocab, int minCount) {
    return new TokenizerSpec(WORD, lowercase, maxVocab, minCount);
  }

  /** A BPE tokenizer learned from the train split, with this many tokens. */
  public static TokenizerSpec bpe(int vocabSize) {
    return new TokenizerSpec(BPE, false, 0, 1, vocabSize, null);
  }

  /** A BPE tokenizer with the merges of a file (all of them when vocabSize is 0). */
  public static TokenizerSpec bpe(Path merges, int vocabSize) {
    return new TokenizerSpec(BPE, false, 0, 1, vocabSize, merges);
  }
}
