package minitransformer.training.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import minitransformer.training.config.Config;
import minitransformer.training.config.ModelSection;
import minitransformer.training.config.TrainingSection;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The loss curve of a run as a PNG (XChart, drawn headless): the evaluated train and validation
 * losses against the iteration, and the per-step batch loss faintly behind them.
 */
public final class LossCurve {
  public static final String FILE = "loss_curve.png";

  private LossCurve() {}

  /**
   * The run's name and the config's key sizes, e.g. "default: 2 layers, 4 heads, n_embd 64, block 32,
   * batch 32, lr 0.003, word vocabulary 400", so that two curves side by side say what differs.
   */
  public static String title(Config config, String tokenizerKind, int vocabSize) {
    ModelSection m = config.model();
    TrainingSection t = config.training();
    return String.format(Locale.ROOT, "%s: %d layer%s, %d head%s, n_embd %d, block %d, batch %d, lr %s, %s vocabulary %,d",
        config.run().name(), m.nLayer(), m.nLayer() == 1 ? "" : "s", m.nHead(), m.nHead() == 1 ? "" : "s", m.nEmbd(),
        m.blockSize(), t.batchSize(),
        BigDecimal.valueOf(t.learningRate()).stripTrailingZeros().toPlainString(), tokenizerKind, vocabSize);
  }

  /** Draws the curve of a metrics log into png. */
  public static void write(List<JsonNode> metrics, String title, Path png) {
    try {
      BitmapEncoder.saveBitmap(chart(metrics, title), png.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }

  /**
   * The chart: a log-scale loss axis, on which the slow fall after the first few hundred steps shows as
   * clearly as the first steep drop.
   */
  static XYChart chart(List<JsonNode> metrics, String title) {
    System.setProperty("java.awt.headless", "true");
    List<Double> stepIters = new ArrayList<>();
    List<Double> stepLoss = new ArrayList<>();
    List<Double> evalIters = new ArrayList<>();
    List<Double> trainLoss = new ArrayList<>();
    List<Double> valLoss = new ArrayList<>();
    for (JsonNode line : metrics) {
      double iter = line.path("iter").asDouble();
      if ("step".equals(line.path("type").asText()) && line.path("loss").isNumber()) {
        stepIters.add(iter);
        stepLoss.add(line.path("loss").asDouble());
      } else if ("eval".equals(line.path("type").asText())
          && line.path("train_loss").isNumber()
          && line.path("val_loss").isNumber()) {
        evalIters.add(iter);
        trainLoss.add(line.path("train_loss").asDouble());
        valLoss.add(line.path("val_loss").asDouble());
      }
    }
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(540)
            .title(title)
            .xAxisTitle("iteration")
            .yAxisTitle("cross-entropy loss (nats per token, log scale)")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmicDecadeOnly(false); // ticks at 2, 3, ... 9 too, not only at 1 and 10
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    if (!stepIters.isEmpty()) {
      XYSeries batches = chart.addSeries("train (batch)", stepIters, stepLoss);
      batches.setMarker(SeriesMarkers.NONE);
      batches.setLineColor(new Color(150, 170, 220));
      batches.setLineStyle(new BasicStroke(1f));
    }
    if (!evalIters.isEmpty()) {
      XYSeries train = chart.addSeries("train (eval)", evalIters, trainLoss);
      train.setLineColor(new Color(30, 80, 200));
      train.setMarkerColor(new Color(30, 80, 200));
      train.setMarker(SeriesMarkers.CIRCLE);
      XYSeries val = chart.addSeries("validation (eval)", evalIters, valLoss);
      val.setLineColor(new Color(220, 90, 20));
      val.setMarkerColor(new Color(220, 90, 20));
      val.setMarker(SeriesMarkers.DIAMOND);
    }
    if (stepIters.isEmpty() && evalIters.isEmpty()) {
      chart.addSeries("no data yet", new double[] {0}, new double[] {1});
    }
    return chart;
  }
}
