package minitransformer.training.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import minitransformer.datasets.Tokenizer;

/**
 * Generated text as it grows, for {@code sample}'s terminal and the server's stream: the prompt
 * first, then for each new token only the new end of the text. The whole text is re-decoded each
 * time, so a word tokenizer's spacing (which depends on the neighbours) comes out right.
 */
public final class TextStream {
  private final Tokenizer tokenizer;
  private final Consumer<String> pieces;
  private final List<Integer> ids = new ArrayList<>();
  private String printed;

  /** Sends the decoded prompt to pieces at once. */
  public TextStream(Tokenizer tokenizer, int[] prompt, Consumer<String> pieces) {
    this.tokenizer = tokenizer;
    this.pieces = pieces;
    for (int id : prompt) {
      ids.add(id);
    }
    printed = tokenizer.decode(prompt);
    pieces.accept(printed);
  }

  /** Adds one token and sends the text it adds. */
  public void accept(int id) {
    ids.add(id);
    String text = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
    if (text.startsWith(printed)) {
      pieces.accept(text.substring(printed.length()));
    } else {
      pieces.accept(" " + tokenizer.decode(new int[] {id})); // spacing changed earlier text: send the token
    }
    printed = text;
  }
}
