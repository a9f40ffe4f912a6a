package minitransformer.framework.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.TinyConfigs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A replayed pass ({@link ReplayedPass}) computes the same bits as SameDiff's session: two models
 * from one seed, one replaying and one not, give equal losses and gradients over several steps in
 * which the parameters change (so a plan that kept stale parameters or stale intermediates fails),
 * with dropout masks that change every step, and equal evaluation losses. With the replay's own
 * kernels ({@link Kernels}) on, as by default, the same within float rounding.
 */
class ReplayedPassTest {
  static Stream<GPTConfig> configs() {
    return StepMemoryTest.configs();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void aReplayedPassGivesSameDiffsBits(GPTConfig config) {
    GPT replayed = GPT.create(config, 7);
    replayed.replayKernels(false);
    GPT session = GPT.create(config, 7);
    session.replay(false);
    int B = 6;
    int T = config.blockSize();
    for (int step = 0; step < 5; step++) {
      INDArray ids = TinyConfigs.randomIds(B, T, config.vocabSize(), 10 + step);
      INDArray targets = TinyConfigs.randomIds(B, T, config.vocabSize(), 20 + step);
      LossAndGradients a = replayed.lossAndGradients(ids, targets, 100 + step);
      LossAndGradients b = session.lossAndGradients(ids, targets, 100 + step);
      assertEquals(b.loss(), a.loss(), 0.0, "loss at step " + step);
      for (Map.Entry<String, INDArray> e : b.gradients().entrySet()) {
        assertEquals(e.getValue(), a.gradients().get(e.getKey()), e.getKey() + " at step " + step);
      }
      for (String name : replayed.parameterNames()) { // the same plain SGD step on both
        replayed.parameters().get(name).subi(a.gradients().get(name).mul(0.5));
        session.parameters().get(name).subi(b.gradients().get(name).mul(0.5));
      }
      a.release();
      b.release();
      assertEquals(session.loss(ids, targets), replayed.loss(ids, targets), 0.0, "eval loss at step " + step);
    }
    assertTrue(replayed.replayedPassBytes() > 0, "the passes were replayed");
    assertEquals(0, session.replayedPassBytes());
  }

  @ParameterizedTest
  @MethodSource("configs")
  void theReplaysKernelsAgreeWithTheSessionWithinFloatRounding(GPTConfig config) {
    GPT replayed = GPT.create(config, 7);
    GPT session = GPT.create(config, 7);
    session.replay(false);
    int B = 6;
    int T = config.blockSize();
    for (int step = 0; step < 4; step++) {
      INDArray ids = TinyConfigs.randomIds(B, T, config.vocabSize(), 10 + step);
      INDArray targets = TinyConfigs.randomIds(B, T, config.vocabSize(), 20 + step);
      LossAndGradients a = replayed.lossAndGradients(ids, targets, 100 + step);
      LossAndGradients b = session.lossAndGradients(ids, targets, 100 + step);
      assertEquals(b.loss(), a.loss(), 1e-5 * Math.abs(b.loss()), "loss at step " + step);
      for (Map.Entry<String, INDArray> e : b.gradients().entrySet()) {
        INDArray g = e.getValue();
        double scale = Math.max(g.amaxNumber().doubleValue(), 1e-6);
        double err = g.sub(a.gradients().get(e.getKey())).amaxNumber().doubleValue();
        assertTrue(err <= 1e-4 * scale, e.getKey() + " at step " + step + ": " + err + " of " + scale);
      }
      for (String name : replayed.parameterNames()) {
        replayed.parameters().get(name).subi(a.gradients().get(name).mul(0.5));
        session.parameters().get(name).subi(b.gradients().get(name).mul(0.5));
      }
      a.release();
      b.release();
      double expected = session.loss(ids, targets);
      assertEquals(expected, replayed.loss(ids, targets), 1e-5 * Math.abs(expected), "eval loss at step " + step);
    }
    assertTrue(replayed.replayKernelOps() > 0, "some ops ran the replay's kernels");
  }
}
