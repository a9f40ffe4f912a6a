package minitransformer.datasets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level byte-pair encoding, as GPT-2, GPT-4 and nanochat tokenize: ids 0..255 are the byte
 * values, and id {@code 256 + i} is merge {@code i}, the concatenation of the two older tokens it
 * joins. Any UTF-8 text encodes, with no unknown token.
 *
 * <p><b>Encoding.</b> The text is cut into chunks by the {@link SplitPattern split pattern} (text
 * between two matches, if a pattern leaves any, is a chunk too). Each chunk's UTF-8 bytes are merged
 * on their own: repeatedly, the adjacent pair with the lowest merge rank is replaced, at every
 * non-overlapping place from left to right, by its merged token. This replays training, which merged
 * the same way. Prose repeats its chunks, so each call caches the ids of every distinct chunk.
 *
 * <p><b>Decoding</b> concatenates the tokens' bytes and reads them as UTF-8; a token sequence that
 * ends inside a character is held back by {@link #streamingDecoder}, and bytes that never form a
 * character decode to U+FFFD.
 *
 * <p>Immutable; the merges are learned by {@link BpeTrainer} or read by {@link MergesFile}.
 */
public final class BpeTokenizer implements Tokenizer {
  public static final String KIND = "bpe";
  /** Ids below this are single bytes. */
  public static final int BYTES = 256;

  private final String pattern;
  private final Pattern compiled;
  private final int[][] merges; // merge i joins merges[i][0] and merges[i][1] into id 256 + i
  private final byte[][] tokenBytes; // id -> its bytes
  private final String[] tokenText; // id -> legible text (see token)
  private final PairRanks ranks;
  private final Map<String, Integer> idOfBytes; // ISO-8859-1 view of the bytes -> id

  /** A tokenizer with these merges in order, each a pair of ids older than itself. */
  public BpeTokenizer(String pattern, List<int[]> merges) {
    this.pattern = pattern;
    this.compiled = SplitPattern.compile(pattern);
    this.merges = new int[merges.size()][];
    this.tokenBytes = new byte[BYTES + merges.size()][];
    this.ranks = new PairRanks(merges.size());
    this.idOfBytes = new HashMap<>();
    for (int b = 0; b < BYTES; b++) {
      tokenBytes[b] = new byte[] {(byte) b};
    }
    for (int i = 0; i < merges.size(); i++) {
      int[] pair = merges.get(i);
      int id = BYTES + i;
      if (pair.length != 2 || pair[0] < 0 || pair[1] < 0 || pair[0] >= id || pair[1] >= id) {
        throw new DataException("BPE merge " + i + " must join two ids below " + id + ", got "
            + Arrays.toString(pair));
      }
      if (ranks.rank(pair[0], pair[1]) >= 0) {
        throw new DataException("BPE merge " + i + " " + Arrays.toString(pair) + " repeats merge "
            + ranks.rank(pair[0], pair[1]));
      }
      this.merges[i] = pair.clone();
      ranks.put(pair[0], pair[1], i);
      byte[] left = tokenBytes[pair[0]];
      byte[] right = tokenBytes[pair[1]];
      byte[] joined = Arrays.copyOf(left, left.length + right.length);
      System.arraycopy(right, 0, joined, left.length, right.length);
      tokenBytes[id] = joined;
    }
    this.tokenText = new String[tokenBytes.length];
    for (int id = 0; id < tokenBytes.length; id++) {
      tokenText[id] = Utf8.legible(tokenBytes[id]);
      idOfBytes.putIfAbsent(new String(tokenBytes[id], StandardCharsets.ISO_8859_1), id);
    }
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int vocabSize() {
    return tokenBytes.length;
  }

  /** The split pattern (a Java regular expression). */
  public String pattern() {
    return pattern;
  }

  /** The merges in rank order, each {left id, right id}; copies. */
  public List<int[]> merges() {
    List<int[]> out = new ArrayList<>(merges.length);
    for (int[] m : merges) {
      out.add(m.clone());
    }
    return out;
  }

  /** The chunks the split pattern cuts the text into (they concatenate to the text). */
  public List<String> split(String text) {
    return split(compiled, text);
  }

  static List<String> split(Pattern pattern, String text) {
    List<String> chunks = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    int end = 0;
    while (m.find()) {
      if (m.start() > end) {
        chunks.add(text.substring(end, m.start())); // text the pattern skipped is not dropped
      }
      if (m.end() > m.start()) {
        chunks.add(text.substring(m.start(), m.end()));
      }
      end = m.end();
    }
    if (end < text.length()) {
      chunks.add(text.substring(end));
    }
    return chunks;
  }

  @Override
  public int[] encode(String text) {
    Map<String, int[]> cache = new HashMap<>();
    int[] out = new int[Math.max(16, text.length() / 2)];
    int n = 0;
    Matcher m = compiled.matcher(text);
    int end = 0;
    while (true) {
      boolean found = m.find();
      int start = found ? m.start() : text.length();
      for (int pass = 0; pass < 2; pass++) {
        int from = pass == 0 ? end : start;
        int to = pass == 0 ? start : (found ? m.end() : start);
        if (to <= from) {
          continue;
        }
        String chunk = text.substring(from, to);
        int[] ids = cache.get(chunk);
        if (ids == null) {
          ids = encodeChunk(chunk.getBytes(StandardCharsets.UTF_8));
          cache.put(chunk, ids);
        }
        if (n + ids.length > out.length) {
          out = Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length));
        }
        System.arraycopy(ids, 0, out, n, ids.length);
        n += ids.length;
      }
      if (!found) {
        break;
      }
      end = m.end();
    }
    return Arrays.copyOf(out, n);
  }

  /** The bytes of one chunk merged in rank order (class comment). */
  int[] encodeChunk(byte[] bytes) {
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xFF;
    }
    int n = ids.length;
    while (n >= 2) {
      int best = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < n; i++) {
        int rank = ranks.rank(ids[i], ids[i + 1]);
        if (rank >= 0 && rank < best) {
          best = rank;
        }
      }
      if (best == Integer.MAX_VALUE) {
        break;
      }
      int left = merges[best][0];
      int right = merges[best][1];
      int w = 0;
      for (int r = 0; r < n; r++) {
        if (r + 1 < n && ids[r] == left && ids[r + 1] == right) {
          ids[w++] = BYTES + best;
          r++;
        } else {
          ids[w++] = ids[r];
        }
      }
      n = w;
    }
    return Arrays.copyOf(ids, n);
  }

  @Override
  public String decode(int[] ids) {
    return Utf8.decode(bytes(ids));
  }

  /** The concatenated bytes of these tokens. */
  public byte[] bytes(int[] ids) {
    int length = 0;
    for (int id : ids) {
      length += tokenBytes(id).length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (int id : ids) {
      byte[] b = tokenBytes[id];
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length;
    }
    return out;
  }

  @Override
  public byte[] tokenBytes(int id) {
    check(id);
    return tokenBytes[id].clone();
  }

  /**
   * The token's text: whole UTF-8 characters as themselves, and each byte that is not part of a whole
   * character inside this token as {@code <0xE2>} (upper-case hex).
   */
  @Override
  public String token(int id) {
    check(id);
    return tokenText[id];
  }

  /** The token whose bytes are exactly the UTF-8 of {@code token}. */
  @Override
  public OptionalInt id(String token) {
    Integer id = idOfBytes.get(new String(token.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** Holds back the bytes of a character that is not complete yet, so a stream never shows U+FFFD early. */
  @Override
  public StreamingDecoder streamingDecoder() {
    Utf8.Stream stream = new Utf8.Stream();
    return new StreamingDecoder() {
      @Override
      public String push(int id) {
        check(id);
        return stream.push(tokenBytes[id]);
      }

      @Override
      public String finish() {
        return stream.finish();
      }
    };
  }

  private void check(int id) {
    if (id < 0 || id >= tokenBytes.length) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
          + tokenBytes.length + ")");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof BpeTokenizer that && pattern.equals(that.pattern)
        && Arrays.deepEquals(merges, that.merges);
  }

  @Override
  public int hashCode() {
    return 31 * pattern.hashCode() + Arrays.deepHashCode(merges);
  }

  @Override
  public String toString() {
    return "BpeTokenizer[vocabSize=" + vocabSize() + "]";
  }
}
