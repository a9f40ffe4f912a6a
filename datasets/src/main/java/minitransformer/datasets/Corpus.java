package minitransformer.datasets;

import java.nio.file.Path;

/** A UTF-8 text file, its tokenizer, and its train (first part) and validation (rest) token streams. */
public final class Corpus {
  // CONTRACT (skeleton): fields and checks are written by the datasets implementation.

  /**
   * Reads and encodes a corpus. Throws {@link DataException} (one line naming the file) when the file
   * is missing, unreadable, empty or not UTF-8, or when either split is shorter than blockSize + 1 tokens.
   *
   * @param trainFraction share of tokens in the train split, nanoGPT's 0.9
   */
  public static Corpus load(Path file, TokenizerSpec spec, double trainFraction, int blockSize) {
    throw new UnsupportedOperationException("skeleton: implemented in datasets");
  }

  /** The same, with a tokenizer given (a resumed run keeps its checkpoint's tokenizer). */
  public static Corpus load(Path file, Tokenizer tokenizer, double trainFraction, int blockSize) {
    throw new UnsupportedOperationException("skeleton: implemented in datasets");
  }

  public Path file() { throw new UnsupportedOperationException(); }

  public Tokenizer tokenizer() { throw new UnsupportedOperationException(); }

  public int[] train() { throw new UnsupportedOperationException(); }

  public int[] validation() { throw new UnsupportedOperationException(); }
}
