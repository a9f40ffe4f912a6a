package minitransformer.datasets;

import java.util.Arrays;

/**
 * Decodes tokens one at a time for printing as they are generated: {@link #push} returns the text
 * the new token adds, {@link #finish} whatever was held back.
 */
public interface StreamingDecoder {

  /** The new text this token completes (may be empty while a character is incomplete). */
  String push(int id);

  /** The text still held back, e.g. an unfinished character as U+FFFD; empty for most tokenizers. */
  String finish();

  /**
   * For tokenizers whose text depends on the neighbouring tokens (a word tokenizer's spacing): the
   * whole sequence is decoded again after each token and the new end is returned. If the new token
   * changed text already returned, the token's own text is returned after a space.
   */
  static StreamingDecoder redecoding(Tokenizer tokenizer) {
    return new StreamingDecoder() {
      private int[] ids = new int[0];
      private String printed = "";

      @Override
      public String push(int id) {
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = id;
        String text = tokenizer.decode(ids);
        String added = text.startsWith(printed)
            ? text.substring(printed.length())
            : " " + tokenizer.decode(new int[] {id});
        printed = text;
        return added;
      }

      @Override
      public String finish() {
        return "";
      }
    };
  }
}
