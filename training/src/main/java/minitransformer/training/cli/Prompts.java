package minitransformer.training.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import minitransformer.datasets.BpeTokenizer;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.WordTokenizer;

/** Turning the user's prompt and words into token ids, with one clear message for each way it can fail. */
final class Prompts {
  private Prompts() {}

  /** The prompt's ids; it must give 1..blockSize tokens. Words read as <unk> are named in a warning on err. */
  static int[] encode(Tokenizer tokenizer, String prompt, int blockSize, java.io.PrintWriter err) {
    if (tokenizer instanceof WordTokenizer words) {
      java.util.Set<String> unknown = new java.util.LinkedHashSet<>();
      for (String token : words.split(prompt)) {
        if (words.id(token).isEmpty()) {
          unknown.add(token);
        }
      }
      if (!unknown.isEmpty()) {
        err.println("warning: not in the vocabulary, read as " + WordTokenizer.UNK + ": " + String.join(", ", unknown));
      }
    }
    int[] ids = tokenizer.encode(prompt); // a char tokenizer names an unknown character itself
    if (ids.length == 0) {
      throw new BadOptionException("--prompt \"" + prompt + "\" gives no tokens");
    }
    if (ids.length > blockSize) {
      throw new BadOptionException("--prompt gives " + ids.length + " tokens, more than the model's context of "
          + blockSize + " (block_size); shorten it");
    }
    return ids;
  }

  /**
   * The id of one word (one token) in the vocabulary. For BPE, where a word inside text carries its
   * leading space, "apple" is the token "apple" if there is one, else the token " apple".
   */
  static int wordId(Tokenizer tokenizer, String word) {
    OptionalInt id = tokenizer.id(word);
    if (id.isEmpty() && tokenizer instanceof BpeTokenizer) {
      id = tokenizer.id(" " + word);
    }
    if (id.isEmpty() && tokenizer instanceof BpeTokenizer) {
      throw new BadOptionException("\"" + word + "\" is not one token of this model's BPE vocabulary, with or"
          + " without a leading space; it encodes as " + String.join("|", labels(tokenizer, tokenizer.encode(word))));
    }
    if (id.isEmpty() || (WordTokenizer.UNK.equals(tokenizer.token(id.getAsInt())) && !WordTokenizer.UNK.equals(word))) {
      String what = tokenizer.kind().equals("char") ? "character" : "word";
      throw new BadOptionException(what + " \"" + word + "\" is not in this model's vocabulary (" + tokenizer.vocabSize()
          + " " + tokenizer.kind() + " tokens)");
    }
    return id.getAsInt();
  }

  /** Ids of comma-separated words. */
  static List<Integer> wordIds(Tokenizer tokenizer, List<String> words) {
    List<Integer> ids = new ArrayList<>();
    for (String word : words) {
      ids.add(wordId(tokenizer, word));
    }
    return ids;
  }

  /** Every token's text as a label: visible stand-ins for a space, a newline and a tab. */
  static List<String> labels(Tokenizer tokenizer, int[] ids) {
    List<String> labels = new ArrayList<>();
    for (int id : ids) {
      labels.add(display(tokenizer.token(id)));
    }
    return labels;
  }

  static String display(String token) {
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥");
  }
}
