package minitransformer.training.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadFocus;
import org.junit.jupiter.api.Test;

/** The terminal view at GPT-2's 12 layers × 12 heads stays a page: a focus table, not 144 lines or grids. */
class AttentionTerminalTest {
  private static final List<String> LABELS = List.of("The", "␣king", "␣sat", "␣beside", "␣the", "␣queen", ",", "␣and",
      "␣then", "␣the", "␣king");

  @Test
  void twelveLayersOfTwelveHeadsShowATableOfFocusAndTheMostFocusedHeads() {
    AttentionMaps maps = randomMaps(12, 12, LABELS.size(), 22);
    StringWriter text = new StringWriter();
    AttentionTerminal.draw(new PrintWriter(text), maps, LABELS, null, null);
    String[] lines = text.toString().split("\n");
    int header = indexOf(lines, "layer   h0   h1");
    assertTrue(header > 0, text.toString());
    assertTrue(lines[header].endsWith(" h11"), lines[header]);
    List<HeadFocus> all = HeadFocus.of(maps);
    for (int l = 0; l < 12; l++) {
      String[] cells = lines[header + 1 + l].trim().split(" +");
      assertEquals(13, cells.length, lines[header + 1 + l]);
      assertEquals(String.valueOf(l), cells[0]);
      for (int h = 0; h < 12; h++) {
        assertEquals(all.get(12 * l + h).focus(), Double.parseDouble(cells[h + 1]), 0.005, "layer " + l + " head " + h);
      }
    }
    int listed = indexOf(lines, "the 16 most focused heads");
    assertTrue(listed > header + 12, text.toString());
    List<HeadFocus> ranked = HeadFocus.ranked(maps);
    for (int k = 0; k < 16; k++) {
      String[] cells = lines[listed + 2 + k].trim().split(" +");
      assertEquals(ranked.get(k).layer() + " " + ranked.get(k).head(), cells[0] + " " + cells[1]);
    }
    assertEquals(2, Arrays.stream(lines).filter(l -> l.matches("layer \\d+, head \\d+")).count(), "two heatmaps");
    assertTrue(text.toString().contains("looks at") && text.toString().contains("␣queen"), text.toString());
    assertTrue(lines.length < 80, lines.length + " lines");
  }

  @Test
  void aSmallModelKeepsALineForEveryHead() {
    AttentionMaps maps = randomMaps(2, 4, LABELS.size(), 7);
    StringWriter text = new StringWriter();
    AttentionTerminal.draw(new PrintWriter(text), maps, LABELS, null, null);
    assertTrue(text.toString().contains("every head with its focus"), text.toString());
    assertEquals(-1, indexOf(text.toString().split("\n"), "layer   h0"));
  }

  private static int indexOf(String[] lines, String start) {
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith(start)) return i;
    }
    return -1;
  }

  /** Causal rows of random weights summing to 1. */
  static AttentionMaps randomMaps(int layers, int heads, int T, long seed) {
    Random random = new Random(seed);
    double[][][][] w = new double[layers][heads][T][T];
    for (double[][][] layer : w) {
      for (double[][] head : layer) {
        for (int t = 0; t < T; t++) {
          double sum = 0;
          for (int s = 0; s <= t; s++) sum += head[t][s] = Math.pow(random.nextDouble(), 4);
          for (int s = 0; s <= t; s++) head[t][s] /= sum;
        }
      }
    }
    int[] ids = new int[T];
    Arrays.setAll(ids, i -> i);
    return new AttentionMaps(ids, w);
  }
}
