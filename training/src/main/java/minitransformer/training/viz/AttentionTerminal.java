package minitransformer.training.viz;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadFocus;

/**
 * The attention command's terminal view. By default: every head's focus (how much of its attention
 * goes to one earlier token other than the first, {@link HeadFocus}) as a layer × head grid, then the
 * heatmaps of the most focused heads, saying which they are; with a layer and/or a head, those heads'
 * heatmaps.
 */
public final class AttentionTerminal {
  /** Heatmaps shown when neither a layer nor a head is chosen: the most focused heads. */
  static final int SHOWN_BY_DEFAULT = 2;

  private AttentionTerminal() {}

  /** Draws the view; layer and head are null when not chosen. */
  public static void draw(PrintWriter o, AttentionMaps maps, List<String> labels, Integer layer, Integer head) {
    List<int[]> shown = new ArrayList<>();
    if (layer == null && head == null) {
      List<HeadFocus> ranked = HeadFocus.ranked(maps);
      focusGrid(o, maps, labels);
      for (HeadFocus f : ranked.subList(0, Math.min(SHOWN_BY_DEFAULT, ranked.size()))) {
        shown.add(new int[] {f.layer(), f.head()});
      }
      o.println();
      o.println("the " + shown.size() + " most focused heads: " + String.join(", ",
          shown.stream().map(lh -> "layer " + lh[0] + " head " + lh[1]).toList())
          + " (--layer L, --head H: others)");
      o.println();
    } else {
      for (int l = 0; l < maps.layers(); l++) {
        for (int h = 0; h < maps.heads(); h++) {
          if ((layer == null || layer == l) && (head == null || head == h)) {
            shown.add(new int[] {l, h});
          }
        }
      }
    }
    for (int[] lh : shown) {
      TerminalHeatmap.draw(o, "layer " + lh[0] + ", head " + lh[1], maps.map(lh[0], lh[1]), labels);
      o.println();
    }
    TerminalHeatmap.legend(o);
    o.flush();
  }

  /** One line per head: its focus, and the earlier tokens the last token weights most in it. */
  private static void focusGrid(PrintWriter o, AttentionMaps maps, List<String> labels) {
    int T = labels.size();
    String last = labels.get(T - 1);
    o.println("every head with its focus: the mean, over the tokens, of the largest weight on one earlier token");
    o.println("other than the first (1: each token looks at one such token; 0: only at itself or the first)");
    o.printf(Locale.ROOT, "%-5s %-4s %5s  %s%n", "layer", "head", "focus", "the last token \"" + last + "\" looks at");
    for (HeadFocus f : HeadFocus.of(maps)) {
      double[] row = maps.map(f.layer(), f.head())[T - 1];
      Integer[] keys = new Integer[T];
      for (int s = 0; s < T; s++) {
        keys[s] = s;
      }
      Arrays.sort(keys, (a, b) -> Double.compare(row[b], row[a]));
      StringBuilder looks = new StringBuilder();
      for (int k = 0; k < Math.min(3, T); k++) {
        looks.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d %s %.2f", keys[k],
            labels.get(keys[k]), row[keys[k]]));
      }
      o.printf(Locale.ROOT, "%-5d %-4d %5.2f  %s%n", f.layer(), f.head(), f.focus(), looks);
    }
  }
}
