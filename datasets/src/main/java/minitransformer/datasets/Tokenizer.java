package minitransformer.datasets;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Text to token ids and back. Implementations are immutable and can be saved and loaded exactly
 * through {@link Tokenizers#toJson} and {@link Tokenizers#fromJson}.
 */
public interface Tokenizer {

  /**
   * "char", "word" or "bpe": the value of the {@code data.tokenizer} config key that made it; "gpt2" for
   * GPT-2's own tokenizer, read from Hugging Face's files ({@link Gpt2Tokenizer}).
   */
  String kind();

  int vocabSize();

  /**
   * Encodes text. A character tokenizer throws {@link DataException} naming the first character
   * that is not in its vocabulary; a word tokenizer maps unknown words to {@code <unk>}.
   */
  int[] encode(String text);

  /** Decodes ids into readable text (a word tokenizer re-joins words and punctuation). */
  String decode(int[] ids);

  /**
   * The text of one token, for tables and labels. A BPE token that holds only part of a character
   * shows those bytes as {@code <0xE2>}.
   */
  String token(int id);

  /**
   * The UTF-8 bytes one token stands for in the text: its characters for a character or BPE
   * tokenizer, the word (as it is in the vocabulary) for a word tokenizer.
   */
  default byte[] tokenBytes(int id) {
    return token(id).getBytes(StandardCharsets.UTF_8);
  }

  /** A decoder for printing generated tokens one at a time; see {@link StreamingDecoder}. */
  default StreamingDecoder streamingDecoder() {
    return StreamingDecoder.redecoding(this);
  }

  /** The id of a token, if it is in the vocabulary. */
  OptionalInt id(String token);
}
