package minitransformer.datasets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns byte-pair merges from text, as GPT-2's and nanochat's tokenizers were trained.
 *
 * <p>The text is cut by the split pattern and each distinct chunk is kept once with its count, as a
 * sequence of byte ids. Then, until the vocabulary has {@code vocabSize} tokens or no adjacent pair is
 * left: the most frequent adjacent pair (counted over all chunks, times each chunk's count) becomes
 * a new token, which replaces the pair in every chunk at each non-overlapping place from left to right.
 *
 * <p><b>Tie-break.</b> Among pairs of equal count, the pair with the smaller left id wins, then the one
 * with the smaller right id. Bytes have ids 0..255 by value and merged tokens 256, 257, ... in the
 * order they were made, so older tokens win. The result is a function of the text and the settings
 * alone. On the textbook example {@code aaabdaaabac} the merges are {@code aa} (count 4), then
 * {@code ab} (count 2, tied with {@code aa}+{@code a}: {@code a} = 97 is older than {@code aa} = 256),
 * then {@code aa}+{@code ab}.
 *
 * <p><b>Incremental counting.</b> Pair counts are computed once. A merge revisits only the chunks that
 * contain the pair (an index from pair to chunks) and changes the counts of the pairs around each
 * place it merged; a priority queue with lazily re-checked entries finds the next most frequent pair.
 */
public final class BpeTrainer {
  private final int[][] words; // distinct chunks as token ids
  private final int[] lengths;
  private final long[] counts; // how often each chunk occurs
  private final Map<Long, Long> pairCounts = new HashMap<>();
  private final Map<Long, IntList> pairWords = new HashMap<>();
  private final PriorityQueue<long[]> queue = new PriorityQueue<>(BpeTrainer::byCountThenIds);
  private final int[] visited;
  private int stamp;

  private BpeTrainer(Map<String, Long> chunks) {
    int n = chunks.size();
    words = new int[n][];
    lengths = new int[n];
    counts = new long[n];
    visited = new int[n];
    int w = 0;
    for (Map.Entry<String, Long> chunk : chunks.entrySet()) {
      byte[] bytes = chunk.getKey().getBytes(StandardCharsets.UTF_8);
      words[w] = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        words[w][i] = bytes[i] & 0xFF;
      }
      lengths[w] = bytes.length;
      counts[w] = chunk.getValue();
      w++;
    }
  }

  /** Learns merges from {@code text} with the split pattern until the vocabulary has vocabSize tokens. */
  public static BpeTokenizer train(String text, int vocabSize, String pattern) {
    if (vocabSize < BpeTokenizer.BYTES) {
      throw new DataException("data.vocab_size for a BPE tokenizer must be at least " + BpeTokenizer.BYTES
          + " (the byte values), got " + vocabSize);
    }
    Map<String, Long> chunks = new LinkedHashMap<>();
    for (String chunk : BpeTokenizer.split(SplitPattern.compile(pattern), text)) {
      chunks.merge(chunk, 1L, Long::sum);
    }
    BpeTrainer trainer = new BpeTrainer(chunks);
    return new BpeTokenizer(pattern, trainer.learn(vocabSize - BpeTokenizer.BYTES));
  }

  /** Count descending, then left id ascending, then right id ascending (the class comment's rule). */
  private static int byCountThenIds(long[] a, long[] b) {
    if (a[0] != b[0]) {
      return Long.compare(b[0], a[0]);
    }
    if (a[1] != b[1]) {
      return Long.compare(a[1], b[1]);
    }
    return Long.compare(a[2], b[2]);
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | right;
  }

  private List<int[]> learn(int maxMerges) {
    for (int w = 0; w < words.length; w++) {
      for (int i = 0; i + 1 < lengths[w]; i++) {
        long key = key(words[w][i], words[w][i + 1]);
        pairCounts.merge(key, counts[w], Long::sum);
        pairWords.computeIfAbsent(key, k -> new IntList()).add(w);
      }
    }
    pairCounts.forEach((key, count) -> queue.add(entry(count, key)));
    List<int[]> merges = new ArrayList<>();
    while (merges.size() < maxMerges && !queue.isEmpty()) {
      long[] top = queue.poll();
      long key = key((int) top[1], (int) top[2]);
      long current = pairCounts.getOrDefault(key, 0L);
      if (current != top[0]) { // a stale entry: the pair's count changed since it was queued
        continue;
      }
      int newId = BpeTokenizer.BYTES + merges.size();
      merges.add(new int[] {(int) top[1], (int) top[2]});
      merge((int) top[1], (int) top[2], newId);
    }
    return merges;
  }

  private static long[] entry(long count, long key) {
    return new long[] {count, key >>> 32, key & 0xFFFFFFFFL};
  }

  /** Replaces (left, right) by newId in every chunk that has it and updates the pair counts. */
  private void merge(int left, int right, int newId) {
    Map<Long, Long> delta = new HashMap<>();
    IntList where = pairWords.remove(key(left, right));
    stamp++;
    for (int k = 0; k < where.size; k++) {
      int w = where.values[k];
      if (visited[w] == stamp) {
        continue;
      }
      visited[w] = stamp;
      int[] ids = words[w];
      int n = lengths[w];
      boolean has = false;
      for (int i = 0; i + 1 < n && !has; i++) {
        has = ids[i] == left && ids[i + 1] == right;
      }
      if (!has) {
        continue; // the index is not pruned; this chunk lost the pair to an earlier merge
      }
      for (int i = 0; i + 1 < n; i++) {
        delta.merge(key(ids[i], ids[i + 1]), -counts[w], Long::sum);
      }
      int m = 0;
      for (int r = 0; r < n; r++) {
        if (r + 1 < n && ids[r] == left && ids[r + 1] == right) {
          ids[m++] = newId;
          r++;
        } else {
          ids[m++] = ids[r];
        }
      }
      lengths[w] = m;
      for (int i = 0; i + 1 < m; i++) {
        long key = key(ids[i], ids[i + 1]);
        delta.merge(key, counts[w], Long::sum);
        if (ids[i] == newId || ids[i + 1] == newId) {
          pairWords.computeIfAbsent(key, x -> new IntList()).add(w);
        }
      }
    }
    delta.forEach((key, change) -> {
      if (change == 0) {
        return;
      }
      long count = pairCounts.getOrDefault(key, 0L) + change;
      if (count > 0) {
        pairCounts.put(key, count);
        queue.add(entry(count, key));
      } else {
        pairCounts.remove(key);
      }
    });
  }

  /** A growable int array. */
  private static final class IntList {
    int[] values = new int[4];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }
  }
}
