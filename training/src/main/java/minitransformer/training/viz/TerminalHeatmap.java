package minitransformer.training.viz;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * An attention map drawn with shade characters: one row per query token, one two-character column
 * per key token, the key labels written top to bottom above their columns.
 */
public final class TerminalHeatmap {
  /** Shades for weights in [0, 0.1), [0.1, 0.3), [0.3, 0.5), [0.5, 0.75), [0.75, 1]. */
  static final String[] SHADES = {"··", "░░", "▒▒", "▓▓", "██"};

  static final double[] BOUNDS = {0.1, 0.3, 0.5, 0.75};

  /** Two spaces: a key after the query, hidden by the causal mask. */
  static final String MASKED = "  ";

  private static final int LABEL_ROWS = 8;

  private TerminalHeatmap() {}

  public static String shade(double weight) {
    int level = 0;
    while (level < BOUNDS.length && weight >= BOUNDS[level]) {
      level++;
    }
    return SHADES[level];
  }

  /** Draws map[query][key] with the tokens as row and column labels. */
  public static void draw(PrintWriter out, String title, double[][] map, List<String> labels) {
    int T = labels.size();
    int rowLabelWidth = 4;
    for (String label : labels) {
      rowLabelWidth = Math.max(rowLabelWidth, Math.min(12, label.length()) + 4);
    }
    out.println(title);
    int labelRows = 0;
    for (String label : labels) {
      labelRows = Math.max(labelRows, Math.min(LABEL_ROWS, label.codePointCount(0, label.length())));
    }
    for (int r = 0; r < labelRows; r++) {
      StringBuilder line = new StringBuilder(" ".repeat(rowLabelWidth + 1));
      for (String label : labels) {
        int[] cps = label.codePoints().toArray();
        line.appendCodePoint(r < cps.length && r < LABEL_ROWS ? cps[r] : ' ').append(' ');
      }
      out.println(line.toString().stripTrailing());
    }
    for (int t = 0; t < T; t++) {
      String label = labels.get(t);
      if (label.length() > 12) {
        label = label.substring(0, 11) + "…";
      }
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%2d %-" + (rowLabelWidth - 3) + "s ", t, label));
      for (int s = 0; s < T; s++) {
        line.append(s > t ? MASKED : shade(map[t][s]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** The key to the shades. */
  public static void legend(PrintWriter out) {
    out.printf(Locale.ROOT, "rows: query tokens, columns: key tokens; %s < 0.1 <= %s < 0.3 <= %s < 0.5 <= %s < 0.75 <= %s;"
        + " blank: masked (a later key)%n", SHADES[0], SHADES[1], SHADES[2], SHADES[3], SHADES[4]);
  }
}
