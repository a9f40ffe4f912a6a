package minitransformer.training.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import minitransformer.training.metrics.StepMetrics;
import org.junit.jupiter.api.Test;

class LogViewTest {
  @Test
  void printsWholeLinesEveryFivePercentAndTheLastStep() {
    StringWriter text = new StringWriter();
    try (LogView view = new LogView(new PrintWriter(text))) {
      view.started(0, 45, 0);
      for (long i = 1; i <= 45; i++) {
        view.stepped(new StepMetrics(i, 1.5, 1e-3, 0.9, 1000, i));
      }
      view.note("saved step-000045");
    }
    List<String> lines = text.toString().lines().toList();
    assertFalse(text.toString().contains("\r"), "no carriage-return frames in a log");
    // every max(1, 45 / 20) = 2 steps: 22 lines, then step 45, then the note
    assertEquals(24, lines.size(), text.toString());
    assertEquals("step 2/45: loss 1.5000, lr 1.00e-03, 1,000 tokens/s, 2 s", lines.get(0));
    assertEquals("step 45/45: loss 1.5000, lr 1.00e-03, 1,000 tokens/s, 45 s", lines.get(22));
    assertEquals("saved step-000045", lines.get(23));
  }
}
