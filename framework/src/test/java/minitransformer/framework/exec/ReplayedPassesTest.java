package minitransformer.framework.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The lifecycle of replayed passes on a small graph: the session's first pass is recorded, the
 * second builds and runs the plan, later ones replay it with new placeholder values; a new shape
 * starts over; a graph with an op the plan does not support stays in the session.
 */
class ReplayedPassesTest {
  private static SameDiff graph(boolean withAssign) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
    SDVariable w = sd.var("w", Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}, {5, 6}}));
    SDVariable h = sd.nn().sigmoid(x.mmul(w)).mul(2.0).sum(1); // (N)
    if (withAssign) {
      h = sd.assign(h, h.add(1.0));
    }
    sd.identity("out", h.mean());
    return sd;
  }

  private static Map<String, INDArray> feed(float... xs) {
    return Map.of("x", Nd4j.createFromArray(xs).reshape(xs.length / 3, 3));
  }

  private static OrderRecorder recorderOn(SameDiff sd) {
    OrderRecorder recorder = new OrderRecorder();
    sd.addListeners(recorder);
    return recorder;
  }

  /** One pass through ReplayedPasses as Passes does it: replay, or else the session with its order recorded. */
  private static double pass(SameDiff sd, OrderRecorder recorder, ReplayedPasses passes, Map<String, INDArray> feed) {
    Map<String, INDArray> out = passes.run(feed, List.of("out"), null);
    if (out != null) {
      return out.get("out").getDouble(0);
    }
    recorder.start(null);
    double value = sd.output(feed, "out").get("out").getDouble(0);
    passes.recorded(feed, recorder.graph(), recorder.stop());
    return value;
  }

  @Test
  void recordThenBuildThenReplayPerShape() {
    SameDiff sd = graph(false);
    OrderRecorder recorder = recorderOn(sd);
    ReplayedPasses passes = new ReplayedPasses();
    passes.kernels(false); // native calls only: the session's bits (KernelsTest checks the kernels)
    float[][] inputs = {{1, 0, -1, 2, 0.5f, 0}, {0, 0, 1, -2, 1, 1}, {3, 1, 0, 0, 0, 1}, {1, 1, 1}, {0, 1, 0}};
    for (int i = 0; i < inputs.length; i++) {
      double expected = sd.output(feed(inputs[i]), "out").get("out").getDouble(0); // the session alone
      assertEquals(expected, pass(sd, recorder, passes, feed(inputs[i])), 0.0, "pass " + i);
    }
    assertEquals(0, passes.refused().size());
    assertTrue(passes.bytes() > 0);
    // shape [2, 3]: passes 0 (session), 1 (built) and 2 (replayed); shape [1, 3]: 3 (session), 4 (built)
    assertNotNull(passes.run(feed(inputs[2]), List.of("out"), null));
    assertNotNull(passes.run(feed(inputs[4]), List.of("out"), null));
    assertNull(passes.run(feed(1, 2, 3, 4, 5, 6, 7, 8, 9), List.of("out"), null), "a third shape is not known yet");
  }

  @Test
  void aGraphWithAnOpThePlanDoesNotSupportStaysInTheSession() {
    SameDiff sd = graph(true);
    OrderRecorder recorder = recorderOn(sd);
    ReplayedPasses passes = new ReplayedPasses();
    passes.kernels(false); // native calls only: the session's bits (KernelsTest checks the kernels)
    for (int i = 0; i < 4; i++) {
      float[] x = {i, 1, -1, 2, 0.5f, i};
      double expected = sd.output(feed(x), "out").get("out").getDouble(0);
      assertEquals(expected, pass(sd, recorder, passes, feed(x)), 0.0, "pass " + i);
    }
    assertEquals(1, passes.refused().size());
    assertTrue(passes.refused().values().iterator().next().contains("Assign"), passes.refused().toString());
    assertEquals(0, passes.bytes());
  }
}
