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

  /** One head as an XChart heatmap. Labels are "position:token" (positions keep repeated tokens apart). */
  public static HeatMapChart chart(AttentionMaps maps, int layer, int head, List<String> labels, int size) {
    int T = maps.length();
    HeatMapChart chart = new HeatMapChartBuilder()
        .width(size + 160).height(size + 120)
        .title("layer " + layer + ", head " + head)
        .xAxisTitle("key").yAxisTitle("query")
        .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setRangeColors(RANGE);
    chart.getStyler().setMin(0.0);
    chart.getStyler().setMax(1.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
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

  /** One head, or (layer and head null) every layer × head as a grid, written as a PNG file. */
  public static void write(Path file, AttentionMaps maps, Integer layer, Integer head, List<String> labels) {
    BufferedImage image;
    if (layer != null && head != null) {
      image = BitmapEncoder.getBufferedImage(chart(maps, layer, head, labels, 560));
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
      BufferedImage first = null;
      Graphics2D g = null;
      for (int r = 0; r < layers.size(); r++) {
        for (int c = 0; c < heads.size(); c++) {
          BufferedImage tile = BitmapEncoder.getBufferedImage(chart(maps, layers.get(r), heads.get(c), labels, size));
          if (first == null) {
            first = new BufferedImage(tile.getWidth() * heads.size(), tile.getHeight() * layers.size(),
                BufferedImage.TYPE_INT_RGB);
            g = first.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, first.getWidth(), first.getHeight());
          }
          g.drawImage(tile, c * tile.getWidth(), r * tile.getHeight(), null);
        }
      }
      g.dispose();
      image = first;
    }
    try {
      if (!ImageIO.write(image, "png", file.toFile())) {
        throw new IOException("no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
