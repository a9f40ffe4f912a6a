package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import minitransformer.datasets.Tokenizer;
import minitransformer.framework.GPT;
import minitransformer.framework.Names;
import minitransformer.training.viz.AttentionPng;
import minitransformer.training.viz.TerminalHeatmap;
import minitransformer.training.viz.TokenText;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code attention} end to end on a trained tiny model: every output shows the graph's probabilities. */
class AttentionCommandTest {
  static String run;
  static GPT gpt;
  static Tokenizer tokenizer;
  static int[] ids;
  /** [layer] (1, nh, T, T) from GPT.outputs. */
  static INDArray[] probs;

  @TempDir Path tmp;

  @BeforeAll
  static void train() throws IOException {
    run = TinyTrainedModel.run().toString();
    gpt = TinyTrainedModel.model();
    tokenizer = TinyTrainedModel.tokenizer();
    ids = tokenizer.encode(TinyTrainedModel.PROMPT);
    probs = new INDArray[2];
    for (int l = 0; l < 2; l++) {
      probs[l] = gpt.outputs(GPT.idsArray(ids, 1, ids.length), List.of(Names.attentionProbs(l)))
          .get(Names.attentionProbs(l));
    }
  }

  private static double graph(int l, int h, int t, int s) {
    return probs[l].getDouble(0, h, t, s);
  }

  @Test
  void terminalHeatmapShadesEachCellByTheGraphsWeight() {
    CliRun r = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--layer", "1");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("layer 1, head 0") && r.out().contains("layer 1, head 1"), r.out());
    int T = ids.length;
    int found = 0;
    for (int h = 0; h < 2; h++) {
      for (int t = 0; t < T; t++) {
        StringBuilder cells = new StringBuilder();
        for (int s = 0; s <= t; s++) {
          cells.append(TerminalHeatmap.shade(graph(1, h, t, s)));
        }
        String row = String.format("%2d %s", t, TokenText.display(tokenizer.token(ids[t])));
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(row) + " +" + Pattern.quote(cells.toString()) + "$")
            .matcher(r.out());
        if (m.find()) {
          found++;
        }
      }
    }
    assertEquals(2 * T, found, "rows drawn with the graph's shades, out of " + 2 * T + ":\n" + r.out());
  }

  /** Issue 13, item 2: the default shows every layer's heads and leads with the most focused ones, naming them. */
  @Test
  void terminalDefaultListsEveryHeadAndDrawsTheMostFocusedOnes() {
    CliRun r = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT);
    assertEquals(0, r.exit(), r.err());
    int T = ids.length;
    List<double[]> focus = new ArrayList<>(); // {layer, head, focus}
    for (int l = 0; l < 2; l++) {
      for (int h = 0; h < 2; h++) {
        double sum = 0;
        for (int t = 2; t < T; t++) {
          double largest = 0;
          for (int s = 1; s < t; s++) {
            largest = Math.max(largest, graph(l, h, t, s));
          }
          sum += largest;
        }
        focus.add(new double[] {l, h, sum / (T - 2)});
        String line = String.format(java.util.Locale.ROOT, "%-5d %-4d %5.2f  ", l, h, sum / (T - 2));
        assertTrue(r.out().contains("\n" + line), "a line for layer " + l + " head " + h + ": " + line + "\n" + r.out());
      }
    }
    focus.sort((a, b) -> Double.compare(b[2], a[2]));
    String first = "layer " + (int) focus.get(0)[0] + " head " + (int) focus.get(0)[1];
    String second = "layer " + (int) focus.get(1)[0] + " head " + (int) focus.get(1)[1];
    assertTrue(r.out().contains("the 2 most focused heads: " + first + ", " + second), r.out());
    assertTrue(r.out().contains(first.replace(" head", ", head") + "\n"), r.out());
    assertTrue(r.out().contains(second.replace(" head", ", head") + "\n"), r.out());
    long drawn = r.out().lines().filter(l -> l.matches("layer \\d, head \\d")).count();
    assertEquals(2, drawn, r.out());
  }

  @Test
  void headAloneShowsThatHeadInEveryLayer() {
    CliRun r = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--head", "1");
    assertEquals(0, r.exit(), r.err());
    List<String> titles = r.out().lines().filter(l -> l.matches("layer \\d, head \\d")).toList();
    assertEquals(List.of("layer 0, head 1", "layer 1, head 1"), titles);
    assertFalse(r.out().contains("focus"), "a focused view has no focus table");
  }

  /** Issue 13, item 7: the formulas of --explain name biases only for a model that has them. */
  @Test
  void explainWritesBiasesOnlyForAModelWithBiases() throws IOException {
    CliRun withBiases = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--explain");
    assertEquals(0, withBiases.exit(), withBiases.err());
    assertTrue(withBiases.out().contains("q = x̂_t·W_Q + b_Q;") && withBiases.out().contains("·W_O + b_O:"),
        withBiases.out());

    Path config = minitransformer.training.TinyRuns.write(tmp, ""); // bias: false, the default
    assertEquals(0, CliRun.of("train", "--quiet", "--config", config.toString()).exit());
    CliRun without = CliRun.of("attention", "--checkpoint", tmp.resolve("runs/tiny").toString(), "--prompt", "abca",
        "--explain");
    assertEquals(0, without.exit(), without.err());
    assertTrue(without.out().contains("q = x̂_t·W_Q;"), without.out());
    assertFalse(without.out().contains("b_Q") || without.out().contains("b_O"), without.out());
  }

  @Test
  void csvHoldsEveryWeightOfTheGraph() throws IOException {
    Path csv = tmp.resolve("att.csv");
    CliRun r = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--out", csv.toString());
    assertEquals(0, r.exit(), r.err());
    List<String> lines = Files.readAllLines(csv);
    assertEquals("layer,head,query_pos,key_pos,query_token,key_token,weight", lines.get(0));
    int T = ids.length;
    assertEquals(1 + 2 * 2 * T * T, lines.size());
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      int l = Integer.parseInt(f[0]);
      int h = Integer.parseInt(f[1]);
      int t = Integer.parseInt(f[2]);
      int s = Integer.parseInt(f[3]);
      assertEquals(tokenizer.token(ids[t]), f[4]);
      assertEquals(tokenizer.token(ids[s]), f[5]);
      assertEquals(graph(l, h, t, s), Double.parseDouble(f[6]), 1e-9, line);
    }
  }

  @Test
  void htmlPageIsSelfContainedAndCarriesTheGraphsWeights() throws IOException {
    Path html = tmp.resolve("att.html");
    CliRun r = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--out", html.toString());
    assertEquals(0, r.exit(), r.err());
    String page = Files.readString(html, StandardCharsets.UTF_8);
    for (String external : List.of("http://", "https://", "<link", " src=", "@import", "url(")) {
      assertFalse(page.contains(external), "the page must fetch nothing, found " + external);
    }
    Matcher m = Pattern.compile("<script type=\"application/json\" id=\"attention-data\">(.*?)</script>", Pattern.DOTALL)
        .matcher(page);
    assertTrue(m.find());
    JsonNode data = new ObjectMapper().readTree(m.group(1));
    assertEquals(2, data.get("layers").asInt());
    assertEquals(2, data.get("heads").asInt());
    int T = ids.length;
    assertEquals(T, data.get("tokens").size());
    assertEquals("apple", data.get("tokens").get(T - 1).asText());
    for (int l = 0; l < 2; l++) {
      for (int h = 0; h < 2; h++) {
        for (int t = 0; t < T; t++) {
          for (int s = 0; s < T; s++) {
            assertEquals(graph(l, h, t, s), data.get("weights").get(l).get(h).get(t).get(s).asDouble(), 1e-9);
          }
        }
      }
    }
  }

  private static boolean near(Color expected, Color actual) {
    return Math.abs(expected.getRed() - actual.getRed()) <= 8 && Math.abs(expected.getGreen() - actual.getGreen()) <= 8
        && Math.abs(expected.getBlue() - actual.getBlue()) <= 8;
  }

  @Test
  void pngIsOneHeatmapOrAGridOfLayersByHeads() throws IOException {
    Path one = tmp.resolve("one.png");
    Path grid = tmp.resolve("grid.png");
    assertEquals(0, CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT,
        "--layer", "1", "--head", "0", "--out", one.toString()).exit());
    assertEquals(0, CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT,
        "--out", grid.toString()).exit());
    BufferedImage single = ImageIO.read(one.toFile());
    BufferedImage all = ImageIO.read(grid.toFile());
    assertTrue(single.getWidth() >= 600 && single.getHeight() >= 600, single.getWidth() + "x" + single.getHeight());
    // 2 layers x 2 heads of equal tiles: the grid's width and height are even multiples of a tile.
    assertTrue(all.getWidth() > single.getWidth() && all.getWidth() % 2 == 0 && all.getHeight() % 2 == 0);
    // The heatmap is drawn: some pixels are the blue of strong attention, not only white and grey.
    int blue = 0;
    for (int y = 0; y < single.getHeight(); y += 2) {
      for (int x = 0; x < single.getWidth(); x += 2) {
        int rgb = single.getRGB(x, y);
        int red = (rgb >> 16) & 0xFF;
        int b = rgb & 0xFF;
        if (b - red > 80) {
          blue++;
        }
      }
    }
    assertTrue(blue > 500, "blue pixels: " + blue);

    // issue 13, item 7: the grid has one title band with the prompt and one colour bar, not one per tile
    int tileWidth = (all.getWidth() - AttentionPng.BAR_WIDTH) / 2;
    int tileHeight = (all.getHeight() - AttentionPng.TITLE_HEIGHT) / 2;
    assertEquals(all.getWidth(), 2 * tileWidth + AttentionPng.BAR_WIDTH);
    assertEquals(all.getHeight(), 2 * tileHeight + AttentionPng.TITLE_HEIGHT);
    var tile = AttentionPng.chart(minitransformer.framework.analysis.AttentionMaps.of(gpt, ids), 0, 0,
        List.of(TinyTrainedModel.PROMPT.split(" ")), 360, "layer 0, head 0", false);
    assertFalse(tile.getStyler().isLegendVisible(), "a grid tile draws no colour bar of its own");
    assertEquals(tileWidth, tile.getWidth());
    int barX = all.getWidth() - AttentionPng.BAR_WIDTH + 30;
    int barTop = AttentionPng.TITLE_HEIGHT + 62;
    int barBottom = all.getHeight() - 62;
    assertTrue(near(AttentionPng.colour(1.0), new Color(all.getRGB(barX, barTop))), "the bar's top is weight 1");
    assertTrue(near(Color.WHITE, new Color(all.getRGB(barX, barBottom))), "the bar's bottom is weight 0");
    int dark = 0;
    for (int y = 0; y < AttentionPng.TITLE_HEIGHT; y++) {
      for (int x = 0; x < all.getWidth(); x++) {
        dark += (all.getRGB(x, y) & 0xFF) < 100 ? 1 : 0;
      }
    }
    assertTrue(dark > 200, "the title is drawn above the grid: " + dark + " dark pixels");
  }

  @Test
  void explainRecomputesEveryHeadAndAgreesWithTheGraph() {
    int t = ids.length - 1;
    CliRun r = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--explain",
        "--position", String.valueOf(t - 2));
    assertEquals(0, r.exit(), r.err());
    int q = t - 2;
    // Every head of every layer: a row per key with q·k, q·k/√hs, weight and |w·v|; later keys masked.
    for (int l = 0; l < 2; l++) {
      for (int h = 0; h < 2; h++) {
        String section = r.out().split("-- block " + l + ", head " + h + " ")[1];
        for (int s = 0; s < ids.length; s++) {
          Matcher m = Pattern.compile("(?m)^   " + s + " +\\S+ +(\\S+) +(\\S+) +(\\S+) +(\\S+)$").matcher(section);
          assertTrue(m.find(), "row of key " + s + " in block " + l + " head " + h);
          if (s > q) {
            assertEquals("masked", m.group(1));
            assertEquals("-inf", m.group(2));
          } else {
            assertEquals(Double.parseDouble(m.group(1)) / Math.sqrt(8), Double.parseDouble(m.group(2)), 1e-4);
            assertEquals(graph(l, h, q, s), Double.parseDouble(m.group(3)), 1e-4, "weight " + l + "/" + h + "/" + s);
          }
        }
      }
    }
    Matcher check = Pattern.compile("h(\\d)/attn/probs\\| = (\\S+), max .* - h\\d/out\\| = (\\S+)").matcher(r.out());
    List<String> layers = new ArrayList<>();
    while (check.find()) {
      layers.add(check.group(1));
      assertTrue(Double.parseDouble(check.group(2)) < 1e-5, check.group());
      assertTrue(Double.parseDouble(check.group(3)) < 1e-5, check.group());
    }
    assertEquals(List.of("0", "1"), layers);
  }

  @Test
  void badInputsGiveOneErrorLine() throws IOException {
    String p = TinyTrainedModel.PROMPT;
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--layer", "2").assertOneErrorLine("--layer 2");
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--head", "-1").assertOneErrorLine("--head -1");
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--explain", "--position", "11")
        .assertOneErrorLine("--position 11");
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--position", "1").assertOneErrorLine("--explain");
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--out", tmp.resolve("a.gif").toString())
        .assertOneErrorLine(".png, .html or .csv");
    CliRun.of("attention", "--checkpoint", run, "--prompt", "").assertOneErrorLine("the prompt is empty");
    CliRun.of("attention", "--checkpoint", run).assertOneErrorLine("--prompt");
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--layer", "one").assertOneErrorLine("--layer");
    CliRun.of("attention", "--checkpoint", tmp.resolve("nothing").toString(), "--prompt", p)
        .assertOneErrorLine("nothing");
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--out", tmp.resolve("no/such/dir/a.html").toString())
        .assertOneErrorLine("a.html");
    // A regular file where the directory should be used to be reported as a directory that "does not exist".
    Path file = Files.writeString(tmp.resolve("plain.txt"), "not a directory");
    CliRun.of("attention", "--checkpoint", run, "--prompt", p, "--out", file.resolve("a.png").toString())
        .assertOneErrorLine(file + " is a file, not a directory");
  }
}
