package minitransformer.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

  @TempDir Path dir;

  @Test
  void continuingDropsLinesPastTheCheckpointAndATornLine() throws IOException {
    try (MetricsLog log = MetricsLog.create(dir)) {
      for (int iter = 1; iter <= 5; iter++) {
        log.step(new StepMetrics(iter, 2.0 / iter, 1e-3, 0.5, 1000, iter));
      }
      log.evaluation(new Evaluation(5, 1.0, Double.NaN, true, TokensPerByte.ONE), 5.5);
    }
    Files.writeString(dir.resolve(MetricsLog.FILE), "{\"type\":\"step\",\"it", StandardOpenOption.APPEND);
    assertEquals(6, MetricsLog.read(dir.resolve(MetricsLog.FILE)).size(), "the torn line is skipped");

    try (MetricsLog log = MetricsLog.continueAfter(dir, 3)) {
      log.step(new StepMetrics(4, 0.4, 1e-3, 0.5, 1000, 4.2));
    }
    List<JsonNode> lines = MetricsLog.read(dir.resolve(MetricsLog.FILE));
    assertEquals(List.of(1L, 2L, 3L, 4L), lines.stream().map(l -> l.path("iter").asLong()).toList());
    assertEquals(0.4, lines.get(3).path("loss").asDouble(), 0);
    assertEquals(4.2, MetricsLog.lastElapsed(dir.resolve(MetricsLog.FILE)), 0);
  }

  @Test
  void nonFiniteNumbersAreJsonNull() throws IOException {
    try (MetricsLog log = MetricsLog.create(dir)) {
      log.evaluation(new Evaluation(1, 1.0, Double.NaN, false, new TokensPerByte(0.25, 0.5)), 1);
    }
    JsonNode line = MetricsLog.read(dir.resolve(MetricsLog.FILE)).get(0);
    assertTrue(line.path("val_loss").isNull());
    assertEquals(1.0 / Math.log(2), line.path("train_bpt").asDouble(), 1e-12);
  }
}
