package minitransformer.datasets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The obvious BPE, for comparison: recount every pair of the whole split text before each merge
 * (minbpe's loop), and encode by applying the merges one after another to every chunk.
 */
final class NaiveBpe {
  private NaiveBpe() {}

  static List<int[]> train(String text, int numMerges, String pattern) {
    List<int[]> chunks = new ArrayList<>();
    for (String chunk : BpeTokenizer.split(SplitPattern.compile(pattern), text)) {
      chunks.add(bytes(chunk));
    }
    List<int[]> merges = new ArrayList<>();
    for (int m = 0; m < numMerges; m++) {
      Map<List<Integer>, Long> counts = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
          ? Integer.compare(a.get(1), b.get(1)) : Integer.compare(a.get(0), b.get(0)));
      for (int[] chunk : chunks) {
        for (int i = 0; i + 1 < chunk.length; i++) {
          counts.merge(List.of(chunk[i], chunk[i + 1]), 1L, Long::sum);
        }
      }
      List<Integer> best = null;
      long bestCount = 0;
      for (Map.Entry<List<Integer>, Long> e : counts.entrySet()) { // ascending (left, right): first max wins
        if (e.getValue() > bestCount) {
          best = e.getKey();
          bestCount = e.getValue();
        }
      }
      if (best == null) {
        break;
      }
      int[] pair = {best.get(0), best.get(1)};
      merges.add(pair);
      for (int c = 0; c < chunks.size(); c++) {
        chunks.set(c, replace(chunks.get(c), pair, 256 + m));
      }
    }
    return merges;
  }

  static int[] encode(BpeTokenizer bpe, String text) {
    List<int[]> merges = bpe.merges();
    List<Integer> out = new ArrayList<>();
    for (String chunk : bpe.split(text)) {
      int[] ids = bytes(chunk);
      for (int m = 0; m < merges.size(); m++) {
        ids = replace(ids, merges.get(m), 256 + m);
      }
      Arrays.stream(ids).forEach(out::add);
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] bytes(String chunk) {
    byte[] b = chunk.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      ids[i] = b[i] & 0xFF;
    }
    return ids;
  }

  private static int[] replace(int[] ids, int[] pair, int newId) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      if (i + 1 < ids.length && ids[i] == pair[0] && ids[i + 1] == pair[1]) {
        out.add(newId);
        i++;
      } else {
        out.add(ids[i]);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
