package minitransformer.datasets;

/**
 * A line and column of a text, both from 1, moved past one code point at a time: where a character
 * tokenizer says an unknown character stands, also when the text is encoded piece by piece.
 */
final class TextPosition {
  private long line = 1;
  private long column = 1;

  /** Moves past cp: a newline starts the next line. */
  void advance(int cp) {
    if (cp == '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }

  @Override
  public String toString() {
    return "line " + line + ", column " + column;
  }
}
