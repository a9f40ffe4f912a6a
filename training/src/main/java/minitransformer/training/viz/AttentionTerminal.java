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
 * goes to one earlier token other than the first, {@link HeadFocus}), a line per head with what the
 * last token looks at, then the heatmaps of the most focused heads, saying which they are; with a layer
 * and/or a head, those heads' heatmaps. A model of more than {@link #LISTED_HEADS} heads in all (GPT-2's
 * 12 × 12 = 144) gets the focus as one layer × head table instead, a row per layer, and the line of
 * what the last token looks at for its {@link #LISTED_HEADS} most focused heads only.
 */
public final class AttentionTerminal {
  /** Heatmaps shown when neither a layer nor a head is chosen: the most focused heads. */
  static final int SHOWN_BY_DEFAULT = 2;

  /** The most heads listed a line each (the default 2 × 4 model's 8 all are). */
  static final int LISTED_HEADS = 16;

  private AttentionTerminal() {}

  /** Draws the view; layer and head are null when not chosen. */
  public static void draw(PrintWriter o, AttentionMaps maps, List<String> labels, Integer layer, Integer head) {
    List<int[]> shown = new ArrayList<>();
    if (layer == null && head == null) {
      List<HeadFocus> ranked = HeadFocus.ranked(maps);
      if (ranked.size() > LISTED_HEADS) {
        focusTable(o, maps);
        o.println();
        o.println("the " + LISTED_HEADS + " most focused heads, and what the last token looks at in each:");
        focusLines(o, maps, labels, ranked.subList(0, LISTED_HEADS));
      } else {
        focusGrid(o, maps, labels);
      }
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
    o.println("every head with its focus: the mean, over the tokens, of the largest weight on one earlier token");
    o.println("other than the first (1: each token looks at one such token; 0: only at itself or the first)");
    focusLines(o, maps, labels, HeadFocus.of(maps));
  }

  /** Every head's focus as a table: a row per layer, a column per head. */
  private static void focusTable(PrintWriter o, AttentionMaps maps) {
    o.println("every head's focus: the mean, over the tokens, of the largest weight on one earlier token other");
    o.println("than the first (1: each token looks at one such token; 0: only at itself or the first)");
    StringBuilder header = new StringBuilder("layer");
    for (int h = 0; h < maps.heads(); h++) {
      header.append(String.format(Locale.ROOT, " %4s", "h" + h));
    }
    o.println(header);
    List<HeadFocus> all = HeadFocus.of(maps);
    for (int l = 0; l < maps.layers(); l++) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-5d", l));
      for (int h = 0; h < maps.heads(); h++) {
        row.append(String.format(Locale.ROOT, " %4.2f", all.get(l * maps.heads() + h).focus()));
      }
      o.println(row);
    }
  }

  /** A line for each of heads: its focus, and the three keys the last token weights most in it. */
  private static void focusLines(PrintWriter o, AttentionMaps maps, List<String> labels, List<HeadFocus> heads) {
    int T = labels.size();
    String last = labels.get(T - 1);
    o.printf(Locale.ROOT, "%-5s %-4s %5s  %s%n", "layer", "head", "focus", "the last token \"" + last + "\" looks at");
    for (HeadFocus f : heads) {
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
