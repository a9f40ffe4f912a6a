package minitransformer.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * Character level, as nanoGPT's {@code shakespeare_char}: the vocabulary is the sorted set of the
 * corpus's characters (Unicode code points, in code point order) and token id = index in that list.
 * Encoding a character outside the vocabulary throws {@link DataException} naming it.
 */
public final class CharTokenizer implements Tokenizer {
  private final List<String> vocab; // id -> one code point as a String
  private final Map<Integer, Integer> idOfCodePoint;

  /** A tokenizer over exactly these characters, in this id order (each entry one code point). */
  public CharTokenizer(List<String> vocab) {
    this.vocab = List.copyOf(vocab);
    this.idOfCodePoint = new HashMap<>();
    for (int id = 0; id < this.vocab.size(); id++) {
      String token = this.vocab.get(id);
      if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) {
        throw new DataException("char vocabulary entry " + id + " must be exactly one character, got \""
            + token + "\"");
      }
      if (idOfCodePoint.put(token.codePointAt(0), id) != null) {
        throw new DataException("char vocabulary lists " + describe(token.codePointAt(0)) + " twice");
      }
    }
  }

  /** The sorted set of the characters of {@code text}. */
  public static CharTokenizer fit(String text) {
    TreeSet<Integer> codePoints = new TreeSet<>();
    text.codePoints().forEach(codePoints::add);
    List<String> vocab = new ArrayList<>(codePoints.size());
    for (int cp : codePoints) {
      vocab.add(new String(Character.toChars(cp)));
    }
    return new CharTokenizer(vocab);
  }

  @Override
  public String kind() {
    return TokenizerSpec.CHAR;
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  /** The characters in id order. */
  public List<String> vocabulary() {
    return Collections.unmodifiableList(vocab);
  }

  @Override
  public int[] encode(String text) {
    return encode(text, new TextPosition());
  }

  /** {@link #encode} of a piece of a longer text that starts at position, which ends past the piece. */
  int[] encode(String text, TextPosition position) {
    int[] ids = new int[text.codePointCount(0, text.length())];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      Integer id = idOfCodePoint.get(cp);
      if (id == null) {
        throw new DataException(describe(cp) + " is not in the vocabulary (" + position + ")");
      }
      ids[n++] = id;
      position.advance(cp);
      i += Character.charCount(cp);
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder text = new StringBuilder(ids.length);
    for (int id : ids) {
      text.append(token(id));
    }
    return text.toString();
  }

  @Override
  public String token(int id) {
    if (id < 0 || id >= vocab.size()) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
          + vocab.size() + ")");
    }
    return vocab.get(id);
  }

  /** Each token is its own text: nothing to hold back or re-decode. */
  @Override
  public StreamingDecoder streamingDecoder() {
    return new StreamingDecoder() {
      @Override
      public String push(int id) {
        return token(id);
      }

      @Override
      public String finish() {
        return "";
      }
    };
  }

  @Override
  public OptionalInt id(String token) {
    if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) {
      return OptionalInt.empty();
    }
    Integer id = idOfCodePoint.get(token.codePointAt(0));
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** {@code character 'Z' (U+005A)}, with control characters written as escapes. */
  static String describe(int codePoint) {
    String shown = switch (codePoint) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> Character.isISOControl(codePoint) || Character.getType(codePoint) == Character.FORMAT
          ? "" : new String(Character.toChars(codePoint));
    };
    String hex = String.format("U+%04X", codePoint);
    return shown.isEmpty() ? "character " + hex : "character '" + shown + "' (" + hex + ")";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CharTokenizer that && vocab.equals(that.vocab);
  }

  @Override
  public int hashCode() {
    return vocab.hashCode();
  }

  @Override
  public String toString() {
    return "CharTokenizer[vocabSize=" + vocab.size() + "]";
  }
}
