package minitransformer.framework.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which heads look somewhere particular. Many heads put most of their weight on the query's own
 * token (the diagonal) or on the first token (a resting place when nothing else matters); the heads
 * that find a clue earlier in the text put it on one other earlier token. A head's focus is the mean,
 * over query positions t >= 2, of its largest weight on a key s with 0 < s < t: near 1 when each query
 * looks at one such token, near 0 for a head that looks only at itself or the first token.
 *
 * @param layer the block
 * @param head the head within the block
 * @param focus the mean largest weight away from the diagonal and the first token, in [0, 1]
 * @param lastQueryKey for the last query position, the key 0 < s < T-1 it weights most (-1 when T < 3)
 * @param lastQueryWeight that key's weight
 */
public record HeadFocus(int layer, int head, double focus, int lastQueryKey, double lastQueryWeight) {

  /** Every head of every layer, in layer and head order. */
  public static List<HeadFocus> of(AttentionMaps maps) {
    List<HeadFocus> all = new ArrayList<>();
    int T = maps.length();
    for (int l = 0; l < maps.layers(); l++) {
      for (int h = 0; h < maps.heads(); h++) {
        double sum = 0;
        for (int t = 2; t < T; t++) {
          sum += maps.weight(l, h, t, largestAway(maps, l, h, t));
        }
        int key = T >= 3 ? largestAway(maps, l, h, T - 1) : -1;
        all.add(new HeadFocus(l, h, T >= 3 ? sum / (T - 2) : 0, key, key < 0 ? 0 : maps.weight(l, h, T - 1, key)));
      }
    }
    return all;
  }

  /** Every head, the most focused first (ties: the earlier layer and head first). */
  public static List<HeadFocus> ranked(AttentionMaps maps) {
    List<HeadFocus> ranked = new ArrayList<>(of(maps));
    ranked.sort(Comparator.comparingDouble(HeadFocus::focus).reversed());
    return ranked;
  }

  /** The key 0 < s < t with the largest weight from query t (t >= 2). */
  private static int largestAway(AttentionMaps maps, int l, int h, int t) {
    int best = 1;
    for (int s = 2; s < t; s++) {
      if (maps.weight(l, h, t, s) > maps.weight(l, h, t, best)) {
        best = s;
      }
    }
    return best;
  }
}
