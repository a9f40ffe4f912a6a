package minitransformer.training.report;

import java.util.List;
import java.util.OptionalInt;
import minitransformer.datasets.BpeTokenizer;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.WordTokenizer;
import minitransformer.training.viz.TokenText;

/**
 * The one token a word given by a user names, for {@code similarity} and the server's embeddings alike.
 * A byte-level BPE vocabulary ({@code bpe}, and GPT-2's own, {@code gpt2}) holds a word inside text as a
 * token with its leading space: GPT-2 has " queen" but no "queen", and "king" (3364) is another token than
 * " king" (5822), the one running text uses. So there a word written without a leading space is that
 * token, " word", when the vocabulary has it, and otherwise the word as written; a word written with
 * its space is taken as it is. A char or word vocabulary takes the word as written.
 */
public final class WordToken {
  /**
   * Four words to compare on GPT-2 (two that differ as man and woman do, twice), each one GPT-2 token
   * with its leading space: the explorer's first words on such a vocabulary.
   */
  public static final List<String> EXAMPLES = List.of("king", "queen", "man", "woman");

  private WordToken() {}

  /** {@link #EXAMPLES} when each is one token of tokenizer with its leading space; otherwise none. */
  public static List<String> examples(Tokenizer tokenizer) {
    boolean all = byteLevel(tokenizer) && EXAMPLES.stream().allMatch(w -> tokenizer.id(" " + w).isPresent());
    return all ? EXAMPLES : List.of();
  }

  /** The word is not one token of the vocabulary; the message says so and how it encodes. */
  public static final class NotOneToken extends RuntimeException {
    NotOneToken(String message) {
      super(message);
    }
  }

  /**
   * The word's token (class comment).
   *
   * @throws NotOneToken the word is not one token of tokenizer's vocabulary (or is {@code <unk>})
   */
  public static int id(Tokenizer tokenizer, String word) {
    OptionalInt spaced = byteLevel(tokenizer) && !word.isEmpty() && !Character.isWhitespace(word.charAt(0))
        ? tokenizer.id(" " + word) : OptionalInt.empty();
    if (spaced.isPresent()) {
      return spaced.getAsInt();
    }
    OptionalInt id = tokenizer.id(word);
    if (byteLevel(tokenizer) && id.isEmpty()) {
      String kind = tokenizer.kind().equals(Gpt2Tokenizer.KIND) ? "GPT-2" : "BPE";
      throw new NotOneToken("\"" + word + "\" is not one token of this model's " + kind
          + " vocabulary, with or without a leading space; it encodes as "
          + String.join("|", TokenText.labels(tokenizer, tokenizer.encode(word))));
    }
    if (id.isEmpty() || (WordTokenizer.UNK.equals(tokenizer.token(id.getAsInt())) && !WordTokenizer.UNK.equals(word))) {
      throw new NotOneToken("\"" + word + "\" is not in this model's vocabulary (" + tokenizer.vocabSize()
          + " " + tokenizer.kind() + " tokens)");
    }
    return id.getAsInt();
  }

  /**
   * The position of the word's last occurrence among ids, or -1. In a byte-level vocabulary a word
   * written without a space is also found without it (at the start of a prompt, after a line break).
   */
  public static int lastPosition(Tokenizer tokenizer, String word, int[] ids) {
    int id = id(tokenizer, word);
    OptionalInt plain = byteLevel(tokenizer) ? tokenizer.id(word) : OptionalInt.empty();
    int position = -1;
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] == id || (plain.isPresent() && ids[t] == plain.getAsInt())) {
        position = t;
      }
    }
    return position;
  }

  private static boolean byteLevel(Tokenizer tokenizer) {
    return tokenizer.kind().equals(BpeTokenizer.KIND) || tokenizer.kind().equals(Gpt2Tokenizer.KIND);
  }
}
