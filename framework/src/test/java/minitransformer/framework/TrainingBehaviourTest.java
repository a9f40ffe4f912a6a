package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import minitransformer.framework.exec.LossAndGradients;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Overfitting one batch and determinism, with a plain Adam written out in the test. */
class TrainingBehaviourTest {
  /** Adam (Kingma & Ba) on the live parameters; returns the loss of each step. */
  private static double[] adam(GPT gpt, INDArray ids, INDArray targets, int steps, double lr, long dropoutSeed) {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    Map<String, INDArray> m = new HashMap<>();
    Map<String, INDArray> v = new HashMap<>();
    double[] losses = new double[steps];
    for (int step = 1; step <= steps; step++) {
      LossAndGradients lg = gpt.lossAndGradients(ids, targets, dropoutSeed + step);
      losses[step - 1] = lg.loss();
      for (String name : gpt.parameterNames()) {
        INDArray g = lg.gradients().get(name);
        INDArray mi = m.computeIfAbsent(name, k -> g.mul(0));
        INDArray vi = v.computeIfAbsent(name, k -> g.mul(0));
        mi.muli(beta1).addi(g.mul(1 - beta1));
        vi.muli(beta2).addi(g.mul(g).muli(1 - beta2));
        INDArray mHat = mi.div(1 - Math.pow(beta1, step));
        INDArray vHat = vi.div(1 - Math.pow(beta2, step));
        gpt.parameters().get(name).subi(mHat.muli(lr).divi(Transforms.sqrt(vHat).addi(eps)));
      }
    }
    return losses;
  }

  @Test
  void overfitsOneBatch() {
    GPT gpt = GPT.create(TinyConfigs.tiny(), 1);
    INDArray ids = TinyConfigs.randomIds(4, 8, TinyConfigs.V, 10);
    INDArray targets = TinyConfigs.randomIds(4, 8, TinyConfigs.V, 11);
    double[] losses = adam(gpt, ids, targets, 150, 1e-2, 0);
    assertEquals(Math.log(TinyConfigs.V), losses[0], 0.1, "a fresh model guesses uniformly");
    // 32 random targets are memorised: bound 0.1 nats within 150 steps.
    assertTrue(gpt.loss(ids, targets) < 0.1, "loss after 150 Adam steps: " + gpt.loss(ids, targets));
  }

  @Test
  void sameSeedSameWeightsAndLossesDifferentSeedDifferentWeights() {
    GPTConfig config = TinyConfigs.tiny(PositionalEncoding.LEARNED, true, false, 0.1);
    GPT a = GPT.create(config, 42);
    GPT b = GPT.create(config, 42);
    GPT c = GPT.create(config, 43);
    for (String name : a.parameterNames()) {
      assertEquals(a.parameters().get(name), b.parameters().get(name), name);
      if (!name.endsWith("gamma") && !name.endsWith("beta") && !name.contains("/b_")) {
        assertNotEquals(a.parameters().get(name), c.parameters().get(name), name);
      }
    }
    INDArray ids = TinyConfigs.randomIds(3, 8, TinyConfigs.V, 1);
    INDArray targets = TinyConfigs.randomIds(3, 8, TinyConfigs.V, 2);
    double[] la = adam(a, ids, targets, 4, 1e-2, 100);
    double[] lb = adam(b, ids, targets, 4, 1e-2, 100);
    assertArrayEquals(la, lb, 0.0);
    // The dropout seed matters: other masks, other losses.
    GPT d = GPT.create(config, 42);
    double[] ld = adam(d, ids, targets, 4, 1e-2, 200);
    assertNotEquals(la[0], ld[0]);
  }

  @Test
  void initialisationFollowsGpt2() {
    GPTConfig config = new GPTConfig(50, 16, 4, 2, 32, PositionalEncoding.LEARNED, true, true, 0.0);
    GPT gpt = GPT.create(config, 3);
    Map<String, INDArray> p = gpt.parameters();
    assertEquals(0.02, p.get(Names.WTE).stdNumber().doubleValue(), 0.002);
    assertEquals(0.02, p.get(Names.wQ(1)).stdNumber().doubleValue(), 0.002);
    double residual = 0.02 / Math.sqrt(2 * 4);
    assertEquals(residual, p.get(Names.wO(2)).stdNumber().doubleValue(), 0.1 * residual);
    assertEquals(residual, p.get(Names.wProj(3)).stdNumber().doubleValue(), 0.1 * residual);
    assertEquals(0.0, p.get(Names.bFc(0)).amaxNumber().doubleValue(), 0.0);
    assertEquals(1.0, p.get(Names.gamma(Names.ln2(0))).minNumber().doubleValue(), 0.0);
    assertEquals(0.0, p.get(Names.beta(Names.LN_F)).amaxNumber().doubleValue(), 0.0);
  }
}
