package minitransformer.datasets;

/**
 * The word tokenizer's spacing rule (see {@link WordTokenizer}'s class comment), applied one token at
 * a time: whether a space goes before a token depends only on the token before it and on whether a
 * double quote is open, so a text decodes in one pass and a stream of tokens prints exactly what
 * {@link WordTokenizer#decode} of the whole sequence gives, in constant memory.
 */
final class WordSpacing implements StreamingDecoder {
  private static final String NO_SPACE_BEFORE = ".,;:!?'\u2019)]}%";
  private static final String NO_SPACE_AFTER = "([{";

  private final WordTokenizer tokenizer;
  private String previous;
  private boolean quoteOpen;

  WordSpacing(WordTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** The token's text, after a space where the rule puts one. */
  @Override
  public String push(int id) {
    String token = tokenizer.token(id);
    boolean space = previous != null
        && !WordTokenizer.NEWLINE.equals(previous) && !WordTokenizer.NEWLINE.equals(token)
        && !isOneOf(token, NO_SPACE_BEFORE) && !isOneOf(previous, NO_SPACE_AFTER)
        && !"-".equals(token) && !"-".equals(previous)
        && !("\"".equals(token) && quoteOpen)
        && !("\"".equals(previous) && quoteOpen);
    if ("\"".equals(token)) {
      quoteOpen = !quoteOpen;
    }
    previous = token;
    return space ? " " + token : token;
  }

  @Override
  public String finish() {
    return "";
  }

  private static boolean isOneOf(String token, String marks) {
    return token.length() == 1 && marks.indexOf(token.charAt(0)) >= 0;
  }
}
