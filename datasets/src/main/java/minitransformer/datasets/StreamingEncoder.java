package minitransformer.datasets;

import java.io.IOException;
import java.io.Reader;

/**
 * Encodes a text of any length in one pass over a {@link Reader}, holding about {@link #CHUNK}
 * characters at a time, so that reading a prompt of 100 MB costs one pass and a chunk's memory.
 *
 * <p>The text is cut just before a space (U+0020) that follows a character that is not white space.
 * No token of the shipped rules spans such a place (a character tokenizer's, the word tokenizer's,
 * and BPE's GPT-2 and GPT-4 split patterns: their tokens that hold a non-space end before a space), so
 * the ids are those of {@link Tokenizer#encode} on the whole text. A BPE tokenizer with another split
 * pattern is read whole, since its tokens may span any place. A text with no such place in
 * {@link #MAX_HELD} characters is cut there (between two characters), which may split one overlong
 * run into two tokens.
 */
public final class StreamingEncoder {
  /** About how many characters are encoded at a time. */
  public static final int CHUNK = 1 << 16;

  /** The most characters held while looking for a place to cut. */
  static final int MAX_HELD = 1 << 20;

  /** Receives each piece of the text, in order, with its ids. */
  public interface Sink {
    void accept(String text, int[] ids);
  }

  private StreamingEncoder() {}

  /**
   * Reads {@code in} to its end and hands each piece and its ids to {@code sink}; returns the number
   * of characters read. A character tokenizer's error names the line and column in the whole text.
   */
  public static long encode(Tokenizer tokenizer, Reader in, Sink sink) throws IOException {
    boolean whole = tokenizer instanceof BpeTokenizer bpe
        && !SplitPattern.GPT2.equals(bpe.pattern()) && !SplitPattern.GPT4.equals(bpe.pattern());
    char[] buffer = new char[CHUNK];
    int held = 0;
    long read = 0;
    Position position = new Position();
    while (true) {
      if (held == buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
      }
      int n = in.read(buffer, held, buffer.length - held);
      if (n < 0) {
        break;
      }
      read += n;
      held += n;
      if (whole || held < CHUNK) {
        continue;
      }
      int cut = lastCut(buffer, held);
      if (cut <= 0 && held >= MAX_HELD) {
        cut = Character.isHighSurrogate(buffer[held - 1]) ? held - 1 : held;
      }
      if (cut <= 0) {
        continue;
      }
      String piece = new String(buffer, 0, cut);
      sink.accept(piece, position.encode(tokenizer, piece));
      System.arraycopy(buffer, cut, buffer, 0, held - cut);
      held -= cut;
      if (buffer.length > CHUNK && held < CHUNK) {
        buffer = java.util.Arrays.copyOf(buffer, CHUNK);
      }
    }
    if (held > 0) {
      String piece = new String(buffer, 0, held);
      sink.accept(piece, position.encode(tokenizer, piece));
    }
    return read;
  }

  /** The last index i with buffer[i] a space and buffer[i - 1] not white space; 0 when none. */
  static int lastCut(char[] buffer, int length) {
    for (int i = length - 1; i > 0; i--) {
      if (buffer[i] == ' ' && !isSpace(buffer[i - 1])) {
        return i;
      }
    }
    return 0;
  }

  private static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085'
        || Character.isSurrogate(c);
  }

  /** Where a piece starts in the whole text, for a character tokenizer's error; other tokenizers need none. */
  private static final class Position {
    final TextPosition at = new TextPosition();

    int[] encode(Tokenizer tokenizer, String piece) {
      return tokenizer instanceof CharTokenizer chars ? chars.encode(piece, at) : tokenizer.encode(piece);
    }
  }
}
