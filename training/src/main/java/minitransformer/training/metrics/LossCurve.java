package minitransformer.training.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /** Draws the curve of a metrics log into png. */
  public static void write(List<JsonNode> metrics, String title, Path png) {
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
            .yAxisTitle("cross-entropy loss (nats per token)")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
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
      chart.addSeries("no data yet", new double[] {0}, new double[] {0});
    }
    try {
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }
}
