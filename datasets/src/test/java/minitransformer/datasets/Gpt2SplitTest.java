package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The written-out scan cuts text exactly where GPT-2's regular expression does. */
class Gpt2SplitTest {
  private static final Pattern GPT2 = SplitPattern.compile(SplitPattern.GPT2);

  private static List<String> scan(String text) {
    List<String> chunks = new ArrayList<>();
    Gpt2Split.split(text, (s, e) -> chunks.add(text.substring(s, e)));
    return chunks;
  }

  /** Characters of every kind the pattern tells apart, weighted towards its edge cases. */
  private static final String[] POOL = {
      " ", " ", " ", "  ", "\t", "\n", "\r", "\u000B", "\f", "\u0085", "\u00A0", "\u1680", "\u2003", "\u2028",
      "\u202F", "\u3000", "\uFEFF", "\u001C", "\u200B", "'", "'", "s", "t", "r", "e", "v", "l", "m", "d", "S",
      "a", "Z", "é", "ß", "ǅ", "ʰ", "漢", "𝔘", "7", "0", "٣", "Ⅻ", "²", "½", "!", ".", "-", "😀", "\u0301",
      "\u093F", "$", "_", "\uFFFD", "’"};

  @Test
  void randomTextIsCutAsTheRegularExpressionCutsIt() {
    Random r = new Random(22);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder text = new StringBuilder();
      int length = r.nextInt(16);
      for (int i = 0; i < length; i++) {
        text.append(r.nextInt(8) == 0 ? new String(Character.toChars(randomCodePoint(r))) : POOL[r.nextInt(POOL.length)]);
      }
      String t = text.toString();
      assertEquals(BpeTokenizer.split(GPT2, t), scan(t), () -> "chunks of " + escape(t));
    }
  }

  @Test
  void everyCodePointIsClassedAsThePatternClassesIt() {
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      if (Character.getType(cp) == Character.SURROGATE) continue;
      String c = new String(Character.toChars(cp));
      String t = "a" + c + c + " " + c + "1 " + c + "  " + c + "'s" + c; // after a letter, a space, spaces; doubled
      List<String> expected = BpeTokenizer.split(GPT2, t);
      List<String> actual = scan(t);
      if (!expected.equals(actual)) assertEquals(expected, actual, "chunks of " + escape(t));
    }
  }

  private static int randomCodePoint(Random r) {
    while (true) {
      int cp = r.nextInt(0x20000);
      if (Character.getType(cp) != Character.SURROGATE) return cp;
    }
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(cp -> b.append(cp < 0x7F && cp >= 0x20 ? String.valueOf((char) cp) : String.format("\\u{%X}", cp)));
    return b.toString();
  }
}
