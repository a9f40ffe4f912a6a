package minitransformer.datasets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reading UTF-8 that may be cut anywhere: whole characters, bytes that never form one (each read as
 * U+FFFD), and an incomplete character at the end that later bytes may still complete.
 */
public final class Utf8 {
  /** What an invalid byte decodes to. */
  public static final char REPLACEMENT = '\uFFFD';

  private static final int INCOMPLETE = -1;
  private static final int INVALID = 0;

  private Utf8() {}

  /** Decodes bytes; each byte that is not part of a valid character becomes one U+FFFD. */
  public static String decode(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length);
    int at = append(bytes, 0, bytes.length, out);
    for (; at < bytes.length; at++) {
      out.append(REPLACEMENT); // an incomplete character at the very end
    }
    return out.toString();
  }

  /**
   * The bytes as legible text: whole characters as themselves and every other byte as {@code <0xE2>},
   * for showing one token that may hold part of a character.
   */
  public static String legible(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length);
    int i = 0;
    while (i < bytes.length) {
      int length = sequenceLength(bytes, i, bytes.length);
      if (length > 0) {
        out.append(new String(bytes, i, length, StandardCharsets.UTF_8));
        i += length;
      } else {
        out.append(String.format("<0x%02X>", bytes[i] & 0xFF));
        i++;
      }
    }
    return out.toString();
  }

  /**
   * Appends the characters of {@code bytes[from, to)}, U+FFFD for each invalid byte, and returns where
   * it stopped: at {@code to}, or at the start of an incomplete character at the end.
   */
  private static int append(byte[] bytes, int from, int to, StringBuilder out) {
    int i = from;
    while (i < to) {
      int length = sequenceLength(bytes, i, to);
      if (length == INCOMPLETE) {
        return i;
      }
      if (length == INVALID) {
        out.append(REPLACEMENT);
        i++;
      } else if (length == 1) {
        out.append((char) bytes[i]);
        i++;
      } else {
        out.append(new String(bytes, i, length, StandardCharsets.UTF_8));
        i += length;
      }
    }
    return i;
  }

  /**
   * The length of the valid character at {@code i} (1 to 4), {@code INVALID} (0) when the byte at i
   * cannot start one there, or {@code INCOMPLETE} (-1) when the bytes up to {@code end} are a valid
   * start of a character that needs more bytes. Overlong forms, surrogates and code points above
   * U+10FFFF are invalid (RFC 3629).
   */
  static int sequenceLength(byte[] b, int i, int end) {
    int lead = b[i] & 0xFF;
    if (lead < 0x80) {
      return 1;
    }
    int length;
    int min2 = 0x80;
    int max2 = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) {
        min2 = 0xA0; // overlong
      } else if (lead == 0xED) {
        max2 = 0x9F; // surrogates
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) {
        min2 = 0x90; // overlong
      } else if (lead == 0xF4) {
        max2 = 0x8F; // above U+10FFFF
      }
    } else {
      return INVALID;
    }
    for (int k = 1; k < length; k++) {
      if (i + k >= end) {
        return INCOMPLETE;
      }
      int c = b[i + k] & 0xFF;
      int lo = k == 1 ? min2 : 0x80;
      int hi = k == 1 ? max2 : 0xBF;
      if (c < lo || c > hi) {
        return INVALID;
      }
    }
    return length;
  }

  /**
   * Bytes arriving in pieces: {@link #push} returns the text they complete and holds back an
   * incomplete character at the end; {@link #finish} releases what is left. The pieces' texts
   * concatenated equal {@link Utf8#decode} of all the bytes.
   */
  public static final class Stream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public String push(byte[] bytes) {
      pending.write(bytes, 0, bytes.length);
      byte[] all = pending.toByteArray();
      StringBuilder out = new StringBuilder(all.length);
      int stop = append(all, 0, all.length, out);
      pending.reset();
      pending.write(all, stop, all.length - stop);
      return out.toString();
    }

    public String finish() {
      String rest = decode(pending.toByteArray());
      pending.reset();
      return rest;
    }
  }

  /** Lone surrogates replaced by U+FFFD (JavaScript's TextEncoder); the text itself when it has none. */
  static String withoutLoneSurrogates(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean lone = false;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          if (out != null) out.append(c).append(text.charAt(i + 1));
          i++;
          continue;
        }
        lone = true;
      } else if (Character.isLowSurrogate(c)) {
        lone = true;
      }
      if (lone && out == null) {
        out = new StringBuilder(text.length()).append(text, 0, i);
      }
      if (out != null) out.append(lone ? REPLACEMENT : c);
    }
    return out == null ? text : out.toString();
  }
}
