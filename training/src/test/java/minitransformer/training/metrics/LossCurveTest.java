package minitransformer.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitransformer.training.TinyRuns;
import minitransformer.training.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/** Issue 13, item 7: the loss curve says which config it is and shows the later steps on a log axis. */
class LossCurveTest {
  @TempDir Path dir;

  @Test
  void titleNamesTheRunAndTheConfigsKeySizes() throws IOException {
    Config config = TinyRuns.config(dir, "training.learning_rate=3.0e-3");
    assertEquals("tiny: 1 layer, 2 heads, n_embd 16, block 8, batch 4, lr 0.003, char vocabulary 5",
        LossCurve.title(config, "char", 5));
  }

  @Test
  void theLossAxisIsLogarithmic() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> metrics = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      metrics.add(json.readTree("{\"type\":\"step\",\"iter\":" + i + ",\"loss\":" + (4.0 / i) + "}"));
    }
    metrics.add(json.readTree("{\"type\":\"eval\",\"iter\":5,\"train_loss\":0.9,\"val_loss\":1.0}"));
    XYChart chart = LossCurve.chart(metrics, "t");
    assertTrue(chart.getStyler().isYAxisLogarithmic());
    assertFalse(chart.getStyler().isYAxisLogarithmicDecadeOnly(), "labels between the powers of ten");
    assertEquals("t", chart.getTitle());
    LossCurve.write(metrics, "t", dir.resolve("c.png"));
    LossCurve.write(List.of(), "empty", dir.resolve("empty.png")); // a log axis with no data still draws
  }
}
