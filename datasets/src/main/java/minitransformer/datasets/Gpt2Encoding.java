package minitransformer.datasets;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ids of one {@link Gpt2Tokenizer#encodeOrdinary} call: each chunk that {@link Gpt2Split} cuts the
 * text into, merged by {@link BpeTokenizer} and renumbered to GPT-2's ids, with the ids of every
 * distinct chunk cached (prose repeats its chunks). The cache is an open-addressing table looked up by
 * the chunk's place in the text, so a chunk seen before costs no substring: with a HashMap of
 * substrings, hashing was half of the encoding time.
 */
final class Gpt2Encoding implements Gpt2Split.Chunks {
  private final BpeTokenizer bpe;
  private final int[] toVocab; // bpe id -> GPT-2 id
  private final String text;
  private String[] keys = new String[1024];
  private int[][] values = new int[1024][];
  private int size;
  private int[] ids;
  private int n;

  Gpt2Encoding(BpeTokenizer bpe, int[] toVocab, String text) {
    this.bpe = bpe;
    this.toVocab = toVocab;
    this.text = text;
    this.ids = new int[Math.max(16, text.length() / 3)];
  }

  /** The ids of the chunks so far, in the text's order. */
  int[] ids() {
    return Arrays.copyOf(ids, n);
  }

  @Override
  public void chunk(int start, int end) {
    int length = end - start;
    int h = 0;
    for (int i = start; i < end; i++) h = 31 * h + text.charAt(i);
    h ^= h >>> 16;
    int mask = keys.length - 1;
    int slot = h & mask;
    int[] chunkIds = null;
    for (String key; (key = keys[slot]) != null; slot = (slot + 1) & mask) {
      if (key.length() == length && text.regionMatches(start, key, 0, length)) {
        chunkIds = values[slot];
        break;
      }
    }
    if (chunkIds == null) {
      String chunk = text.substring(start, end);
      chunkIds = bpe.encodeChunk(chunk.getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < chunkIds.length; i++) chunkIds[i] = toVocab[chunkIds[i]];
      keys[slot] = chunk;
      values[slot] = chunkIds;
      if (++size * 2 > keys.length) grow();
    }
    if (n + chunkIds.length > ids.length) ids = Arrays.copyOf(ids, Math.max(2 * ids.length, n + chunkIds.length));
    System.arraycopy(chunkIds, 0, ids, n, chunkIds.length);
    n += chunkIds.length;
  }

  private void grow() {
    String[] oldKeys = keys;
    int[][] oldValues = values;
    keys = new String[oldKeys.length * 2];
    values = new int[keys.length][];
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] == null) continue;
      int h = oldKeys[i].hashCode(); // the same polynomial as in chunk()
      int slot = (h ^ (h >>> 16)) & mask;
      while (keys[slot] != null) slot = (slot + 1) & mask;
      keys[slot] = oldKeys[i];
      values[slot] = oldValues[i];
    }
  }
}
