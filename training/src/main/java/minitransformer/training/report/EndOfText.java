package minitransformer.training.report;

import java.util.Locale;
import java.util.OptionalInt;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.datasets.Tokenizer;

/**
 * Where a sample ends early, for {@code sample} and the server's sample stream alike: at the tokenizer's
 * end-of-text token ({@code <|endoftext|>}, 50256 in GPT-2's vocabulary), which in GPT-2's training data
 * separates documents, so that what follows it is a new, unrelated text. It is the last token generated
 * and is not printed. Asked to continue ({@code --no-stop}, {@code "stop": false}) the sample goes on past
 * it and prints it as its text. Tokenizers without the token (char, word, bpe) never stop early.
 *
 * <p>In a prompt, the text {@code <|endoftext|>} is read as that one token, as nanoGPT's sample.py
 * ({@code allowed_special={"<|endoftext|>"}}) and Hugging Face's GPT-2 tokenizer read it, so a prompt
 * can start a new document ({@link Gpt2Tokenizer#encode}).
 */
public final class EndOfText {
  private EndOfText() {}

  /** The token a sample stops at: the tokenizer's end-of-text token, unless stop is false. */
  public static OptionalInt stopToken(Tokenizer tokenizer, boolean stop) {
    if (stop && tokenizer instanceof Gpt2Tokenizer gpt2) {
      return gpt2.endOfText();
    }
    return OptionalInt.empty();
  }

  /** Whether a sample that generated these tokens ended at the stop token. */
  public static boolean stopped(int[] generated, OptionalInt stop) {
    return stop.isPresent() && generated.length > 0 && generated[generated.length - 1] == stop.getAsInt();
  }

  /** The note sample prints on stderr when it stopped. */
  public static String note(Tokenizer tokenizer, int id, int generated, int asked) {
    return String.format(Locale.ROOT, "note: stopped at %s (id %d), token %d of %d (--no-stop continues past it)",
        tokenizer.token(id), id, generated, asked);
  }
}
