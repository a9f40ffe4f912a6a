package minitransformer.training.viz;

import java.util.ArrayList;
import java.util.List;
import minitransformer.datasets.Tokenizer;

/**
 * How every command shows a token on its own (a table cell, a heatmap label, a prediction): white
 * space becomes one visible glyph, so a column of labels keeps one cell per character, and a BPE
 * token's leading space shows as ␣ ({@code ␣the}). Bytes of a BPE token that are not a whole character
 * already come from {@link Tokenizer#token} as {@code <0xE2>}.
 */
public final class TokenText {
  private TokenText() {}

  /** The token with a space as ␣, a line break as ↵, a tab as ⇥ and a carriage return as ␍. */
  public static String display(String token) {
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥").replace("\r", "␍");
  }

  /** Every id's token, displayed. */
  public static List<String> labels(Tokenizer tokenizer, int[] ids) {
    List<String> labels = new ArrayList<>();
    for (int id : ids) {
      labels.add(display(tokenizer.token(id)));
    }
    return labels;
  }

  /** Every id's token, displayed. */
  public static List<String> labels(Tokenizer tokenizer, List<Integer> ids) {
    return labels(tokenizer, ids.stream().mapToInt(Integer::intValue).toArray());
  }
}
