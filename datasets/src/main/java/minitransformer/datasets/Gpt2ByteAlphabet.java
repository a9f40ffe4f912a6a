package minitransformer.datasets;

import java.util.HashMap;
import java.util.Map;

/**
 * GPT-2's byte alphabet ({@code bytes_to_unicode} in openai/gpt-2's {@code encoder.py}): the
 * character that stands for each byte in its {@code vocab.json} and {@code merges.txt}, so that every
 * token is printable ({@code Ġ} for a space byte), and the table back from character to byte.
 */
final class Gpt2ByteAlphabet {
  private Gpt2ByteAlphabet() {}

  /**
   * GPT-2's {@code bytes_to_unicode} inverted: printable bytes stand for themselves, the other bytes
   * for the characters from U+0100 on, in byte order.
   */
  static Map<Integer, Integer> byteOfChar() {
    Map<Integer, Integer> byteOfChar = new HashMap<>();
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      byteOfChar.put(printable ? b : 256 + next++, b);
    }
    return byteOfChar;
  }

  /** GPT-2's bytes_to_unicode: the character that stands for each byte in its files. */
  static String[] charOfByte() {
    String[] out = new String[256];
    for (Map.Entry<Integer, Integer> e : byteOfChar().entrySet()) {
      out[e.getValue()] = new String(Character.toChars(e.getKey()));
    }
    return out;
  }

  /** The bytes written in {@code alphabet} (a {@link #charOfByte} table), as GPT-2's files write a token. */
  static String inAlphabet(byte[] bytes, String[] alphabet) {
    StringBuilder s = new StringBuilder(bytes.length);
    for (byte b : bytes) s.append(alphabet[b & 0xFF]);
    return s.toString();
  }
}
