package minitransformer.datasets;

import java.util.OptionalInt;

/**
 * Text to token ids and back. Implementations are immutable and can be saved and loaded exactly
 * through {@link Tokenizers#toJson} and {@link Tokenizers#fromJson}.
 */
public interface Tokenizer {

  /** "char" or "word": the value of the {@code data.tokenizer} config key that made it. */
  String kind();

  int vocabSize();

  /**
   * Encodes text. A character tokenizer throws {@link DataException} naming the first character
   * that is not in its vocabulary; a word tokenizer maps unknown words to {@code <unk>}.
   */
  int[] encode(String text);

  /** Decodes ids into readable text (a word tokenizer re-joins words and punctuation). */
  String decode(int[] ids);

  /** The text of one token, for tables and labels. */
  String token(int id);

  /** The id of a token, if it is in the vocabulary. */
  OptionalInt id(String token);
}
