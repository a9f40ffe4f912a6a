package minitransformer.training.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;
import minitransformer.framework.analysis.AttentionMaps;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Attention heatmaps drawn by XChart's HeatMapChart: key tokens along the x axis, query tokens down
 * the y axis (the first token at the top), colour from white (0) to blue (1). One head, or a grid
 * of every layer (rows) by head (columns) composed into one image.
 */
public final class AttentionPng {
  private static final Color[] RANGE = {new Color(0xFFFFFF), new Color(0x9ECAE1), new Color(0x2171B5)};

  private AttentionPng() {}

  /** Height of the band above a grid that holds its title. */
  public static final int TITLE_HEIGHT = 48;

  /** Width of the band right of a grid that holds its one colour bar. */
  public static final int BAR_WIDTH = 90;

  /**
   * One head as an XChart heatmap. Labels are "position:token" (positions keep repeated tokens apart);
   * colourBar: its own colour bar (a single head), or none (a tile of a grid, which draws one for all).
   */
  public static HeatMapChart chart(
      AttentionMaps maps, int layer, int head, List<String> labels, int size, String title, boolean colourBar) {
    int T = maps.length();
    HeatMapChart chart = new HeatMapChartBuilder()
        .width(size + (colourBar ? 160 : 80)).height(size + 120)
        .title(title)
        .xAxisTitle("key").yAxisTitle("query")
        .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setRangeColors(RANGE);
    chart.getStyler().setMin(0.0);
    chart.getStyler().setMax(1.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setLegendVisible(colourBar);
    chart.getStyler().setXAxisLabelRotation(90);
    chart.getStyler().setShowValue(size / T >= 40); // weights printed in the cells when they fit
    chart.getStyler().setHeatMapValueDecimalPattern("0.00");
    chart.getStyler().setValueFontColor(Color.BLACK);
    chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, T <= 16 ? 12 : 9));
    List<String> keys = new ArrayList<>();
    for (int s = 0; s < T; s++) {
      keys.add(s + ":" + labels.get(s));
    }
    List<String> queries = new ArrayList<>(keys);
    Collections.reverse(queries); // the y axis grows upwards: the first query at the top
    List<Number[]> cells = new ArrayList<>();
    for (int t = 0; t < T; t++) {
      for (int s = 0; s <= t; s++) { // masked cells (s > t) stay empty
        cells.add(new Number[] {s, T - 1 - t, maps.weight(layer, head, t, s)});
      }
    }
    chart.addSeries("attention", keys, queries, cells);
    return chart;
  }

  /**
   * One head, or the heads of the given layer and/or head (null: every one) as a grid under one title and
   * beside one colour bar, written as a PNG file. title names what was run, e.g. the prompt.
   */
  public static void write(
      Path file, AttentionMaps maps, Integer layer, Integer head, List<String> labels, String title) {
    try {
      if (!ImageIO.write(image(maps, layer, head, labels, title), "png", file.toFile())) {
        throw new IOException("no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static BufferedImage image(AttentionMaps maps, Integer layer, Integer head, List<String> labels, String title) {
    if (layer != null && head != null) {
      return BitmapEncoder.getBufferedImage(
          chart(maps, layer, head, labels, 560, title + " · layer " + layer + ", head " + head, true));
    } else {
      List<Integer> layers = new ArrayList<>();
      for (int l = 0; l < maps.layers(); l++) {
        if (layer == null || layer == l) {
          layers.add(l);
        }
      }
      List<Integer> heads = new ArrayList<>();
      for (int h = 0; h < maps.heads(); h++) {
        if (head == null || head == h) {
          heads.add(h);
        }
      }
      int size = 360;
      BufferedImage grid = null;
      Graphics2D g = null;
      for (int r = 0; r < layers.size(); r++) {
        for (int c = 0; c < heads.size(); c++) {
          BufferedImage tile = BitmapEncoder.getBufferedImage(
              chart(maps, layers.get(r), heads.get(c), labels, size, "layer " + layers.get(r) + ", head "
                  + heads.get(c), false));
          if (grid == null) {
            grid = new BufferedImage(tile.getWidth() * heads.size() + BAR_WIDTH,
                TITLE_HEIGHT + tile.getHeight() * layers.size(), BufferedImage.TYPE_INT_RGB);
            g = grid.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
          }
          g.drawImage(tile, c * tile.getWidth(), TITLE_HEIGHT + r * tile.getHeight(), null);
        }
      }
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.drawString(title, 16, 32);
      colourBar(g, grid.getWidth() - BAR_WIDTH + 20, TITLE_HEIGHT + 60, grid.getHeight() - TITLE_HEIGHT - 120);
      g.dispose();
      return grid;
    }
  }

  /** The one colour bar of a grid: weight 1 at the top to 0 at the bottom, the heatmaps' colours. */
  private static void colourBar(Graphics2D g, int x, int y, int height) {
    for (int i = 0; i < height; i++) {
      g.setColor(colour(1.0 - (double) i / (height - 1)));
      g.fillRect(x, y + i, 20, 1);
    }
    g.setColor(Color.BLACK);
    g.drawRect(x, y, 20, height);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("1", x + 26, y + 5);
    g.drawString("0.5", x + 26, y + height / 2 + 5);
    g.drawString("0", x + 26, y + height + 5);
    g.drawString("weight", x - 6, y - 12);
  }

  /** The heatmaps' colour for a weight in [0, 1]: white, light blue, dark blue, linearly between. */
  public static Color colour(double weight) {
    double scaled = Math.max(0, Math.min(1, weight)) * (RANGE.length - 1);
    int k = Math.min(RANGE.length - 2, (int) scaled);
    double f = scaled - k;
    Color a = RANGE[k];
    Color b = RANGE[k + 1];
    return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
        (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
        (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
  }
}
