package minitransformer.datasets;

/**
 * GPT-2's split pattern ({@link SplitPattern#GPT2}) written out as a scan, for speed: the regular
 * expression cuts text at about 6 MB/s, this at several times that. It finds the same chunks as the
 * pattern compiled by {@link SplitPattern#compile} ({@code Gpt2SplitTest} compares them on random
 * text of every Unicode category), alternative by alternative:
 *
 * <pre>
 *   's|'t|'re|'ve|'m|'ll|'d     a lower-case contraction
 *   | ?\p{L}+                   letters, with one space before them
 *   | ?\p{N}+                   numbers, likewise
 *   | ?[^\s\p{L}\p{N}]+         anything else, likewise
 *   |\s+(?!\S)                  white space, all but the last one when a non-space follows
 *   |\s+                        (a single white space before a non-space)
 * </pre>
 *
 * {@code \s} is Unicode's White_Space property, as {@code UNICODE_CHARACTER_CLASS} and Python's
 * {@code regex} read it. The text must hold no lone surrogate ({@link Gpt2Tokenizer} replaces them).
 */
final class Gpt2Split {
  private static final int LETTER = 0;
  private static final int NUMBER = 1;
  private static final int SPACE = 2;
  private static final int OTHER = 3;

  private Gpt2Split() {}

  /** Receives each chunk as [start, end) of the text. */
  interface Chunks {
    void chunk(int start, int end);
  }

  static void split(String text, Chunks out) {
    split(text, 0, text.length(), out);
  }

  /** The chunks of text[from, to), cut as if that stretch were the whole text. */
  static void split(String text, int from, int to, Chunks out) {
    int i = from;
    while (i < to) {
      int end = next(text, i, to);
      out.chunk(i, end);
      i = end;
    }
  }

  /**
   * Hugging Face's {@code Sequence[Digits(individual_digits), ByteLevel]} (SmolLM2): every number
   * character (\p{N}) is a chunk of its own, and GPT-2's pattern cuts each stretch between them.
   */
  static void splitDigitsFirst(String text, Chunks out) {
    int n = text.length();
    int start = 0;
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (kind(cp) == NUMBER) {
        split(text, start, i, out);
        out.chunk(i, next);
        start = next;
      }
      i = next;
    }
    split(text, start, n, out);
  }

  /** The end of the chunk that starts at i. */
  private static int next(String text, int i, int n) {
    char c = text.charAt(i);
    if (c == '\'' && i + 1 < n) {
      char d = text.charAt(i + 1);
      if (d == 's' || d == 't' || d == 'm' || d == 'd') return i + 2;
      if (i + 2 < n) {
        char e = text.charAt(i + 2);
        if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) return i + 3;
      }
    }
    int start = i;
    if (c == ' ' && i + 1 < n) {
      int k = kind(text.codePointAt(i + 1));
      if (k != SPACE) return run(text, i + 1, n, k);
    }
    int k = kind(text.codePointAt(start));
    if (k != SPACE) return run(text, start, n, k);
    // white space: the whole run at the end of the text; before a non-space all but its last character,
    // unless the run is that one character
    int end = run(text, start, n, SPACE);
    if (end == n) return end;
    int last = end - Character.charCount(text.codePointBefore(end));
    return last > start ? last : end;
  }

  /** The end of the run of characters of one kind starting at i. */
  private static int run(String text, int i, int n, int kind) {
    while (i < n) {
      int cp = text.codePointAt(i);
      if (kind(cp) != kind) break;
      i += Character.charCount(cp);
    }
    return i;
  }

  private static int kind(int cp) {
    if (cp < 0x80) {
      if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return LETTER;
      if (cp >= '0' && cp <= '9') return NUMBER;
      if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return SPACE;
      return OTHER;
    }
    if (isWhiteSpace(cp)) return SPACE;
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER -> {
        return LETTER;
      }
      case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> {
        return NUMBER;
      }
      default -> {
        return OTHER;
      }
    }
  }

  /** Unicode's White_Space property beyond ASCII. */
  private static boolean isWhiteSpace(int cp) {
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
        || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
  }
}
