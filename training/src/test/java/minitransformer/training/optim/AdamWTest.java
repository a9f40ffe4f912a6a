package minitransformer.training.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamWTest {

  private static final double B1 = 0.9;
  private static final double B2 = 0.99;
  private static final double WD = 0.1;

  private static Map<String, INDArray> parameters() {
    Map<String, INDArray> p = new LinkedHashMap<>();
    p.put("wte", Nd4j.createFromArray(new double[][] {{0.5, -1.0}, {2.0, 0.25}})); // embedding table
    p.put("h0/attn/W_Q", Nd4j.createFromArray(new double[][] {{1.0, 2.0}})); // matrix
    p.put("h0/ln1/gamma", Nd4j.createFromArray(new double[] {1.0, 1.0})); // LayerNorm
    p.put("h0/mlp/b_fc", Nd4j.createFromArray(new double[] {0.3, -0.3})); // bias
    return p;
  }

  private static Map<String, INDArray> gradients(double scale) {
    Map<String, INDArray> g = new LinkedHashMap<>();
    g.put("wte", Nd4j.createFromArray(new double[][] {{0.1, -0.2}, {0.0, 0.4}}).muli(scale));
    g.put("h0/attn/W_Q", Nd4j.createFromArray(new double[][] {{-0.5, 0.05}}).muli(scale));
    g.put("h0/ln1/gamma", Nd4j.createFromArray(new double[] {0.2, -0.1}).muli(scale));
    g.put("h0/mlp/b_fc", Nd4j.createFromArray(new double[] {0.0, 1.0}).muli(scale));
    return g;
  }

  @Test
  void twoStepsMatchTheFormulaByHand() {
    Map<String, INDArray> p = parameters();
    AdamW adamW = new AdamW(p, B1, B2, WD);
    double[] lrs = {1e-2, 5e-3};
    adamW.step(gradients(1.0), lrs[0]);
    adamW.step(gradients(-0.5), lrs[1]);
    assertEquals(2, adamW.stepCount());

    Map<String, INDArray> g1 = gradients(1.0);
    Map<String, INDArray> g2 = gradients(-0.5);
    for (String name : p.keySet()) {
      boolean decayed = name.equals("wte") || name.equals("h0/attn/W_Q");
      double[] expected =
          pytorchAdamW(
              parameters().get(name).ravel().toDoubleVector(),
              new double[][] {g1.get(name).ravel().toDoubleVector(), g2.get(name).ravel().toDoubleVector()},
              lrs,
              decayed);
      assertArrayEquals(expected, p.get(name).ravel().toDoubleVector(), 1e-12, name);
    }
  }

  /** PyTorch's AdamW step: denominator sqrt(v)/sqrt(1-beta2^t) + eps, step size lr/(1-beta1^t). */
  private static double[] pytorchAdamW(double[] p, double[][] gs, double[] lrs, boolean decay) {
    double[] x = p.clone();
    double[] m = new double[p.length];
    double[] v = new double[p.length];
    for (int t = 1; t <= gs.length; t++) {
      double lr = lrs[t - 1];
      for (int i = 0; i < x.length; i++) {
        double g = gs[t - 1][i];
        if (decay) {
          x[i] *= 1 - lr * WD;
        }
        m[i] = B1 * m[i] + (1 - B1) * g;
        v[i] = B2 * v[i] + (1 - B2) * g * g;
        double denominator = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(B2, t)) + AdamW.EPSILON;
        x[i] -= lr / (1 - Math.pow(B1, t)) * m[i] / denominator;
      }
    }
    return x;
  }

  /**
   * Forty steps with gradients near ε (1e-8), where the placement of ε decides the update: the
   * fused native op must still equal PyTorch's formula (ε added after dividing √v by √(1-β₂ᵗ)).
   */
  @Test
  void fortyStepsWithTinyGradientsMatchPyTorchsEpsilonPlacement() {
    Map<String, INDArray> p = parameters();
    AdamW adamW = new AdamW(p, B1, B2, WD);
    int steps = 40;
    double[] lrs = new double[steps];
    double[][][] gs = new double[p.size()][steps][];
    String[] names = p.keySet().toArray(new String[0]);
    for (int t = 0; t < steps; t++) {
      lrs[t] = 1e-2 * (1 + t % 3);
      Map<String, INDArray> g = gradients(3e-8 * Math.cos(t));
      for (int k = 0; k < names.length; k++) {
        gs[k][t] = g.get(names[k]).ravel().toDoubleVector();
      }
      adamW.step(g, lrs[t]);
    }
    for (int k = 0; k < names.length; k++) {
      boolean decayed = names[k].equals("wte") || names[k].equals("h0/attn/W_Q");
      double[] expected = pytorchAdamW(parameters().get(names[k]).ravel().toDoubleVector(), gs[k], lrs, decayed);
      assertArrayEquals(expected, p.get(names[k]).ravel().toDoubleVector(), 1e-12, names[k]);
    }
  }

  @Test
  void weightDecayTouchesExactlyTheRankTwoParameters() {
    Map<String, INDArray> p = parameters();
    AdamW adamW = new AdamW(p, B1, B2, WD);
    assertEquals(Set.of("wte", "h0/attn/W_Q"), adamW.decayedParameters());
    // with zero gradients Adam's term is 0: only decay moves a parameter
    Map<String, INDArray> zero = new LinkedHashMap<>();
    p.forEach((name, a) -> zero.put(name, a.like().assign(0)));
    adamW.step(zero, 0.5);
    Map<String, INDArray> before = parameters();
    for (String name : p.keySet()) {
      double factor = adamW.decayedParameters().contains(name) ? 1 - 0.5 * WD : 1.0;
      assertArrayEquals(
          before.get(name).mul(factor).ravel().toDoubleVector(),
          p.get(name).ravel().toDoubleVector(),
          1e-15,
          name);
    }
  }

  @Test
  void updatesTheLiveArraysInPlace() {
    Map<String, INDArray> p = parameters();
    INDArray live = p.get("wte");
    new AdamW(p, B1, B2, WD).step(gradients(1.0), 1e-2);
    assertEquals(live, p.get("wte"));
    assertEquals(false, live.equalsWithEps(parameters().get("wte"), 1e-9));
  }

  @Test
  void stateRoundTripContinuesExactly() {
    Map<String, INDArray> a = parameters();
    AdamW first = new AdamW(a, B1, B2, WD);
    first.step(gradients(1.0), 1e-2);
    Map<String, INDArray> saved = new LinkedHashMap<>();
    first.state().forEach((k, arr) -> saved.put(k, arr.dup()));
    Map<String, INDArray> savedParams = new LinkedHashMap<>();
    a.forEach((k, arr) -> savedParams.put(k, arr.dup()));
    first.step(gradients(0.3), 1e-2);

    Map<String, INDArray> b = savedParams;
    AdamW second = new AdamW(b, B1, B2, WD);
    second.restore(saved, 1);
    second.step(gradients(0.3), 1e-2);
    for (String name : a.keySet()) {
      assertEquals(a.get(name), b.get(name), name);
    }
    assertEquals(8, first.state().size());
    assertEquals(true, first.state().containsKey("m/wte") && first.state().containsKey("v/h0/mlp/b_fc"));
  }

  @Test
  void restoreFailsNamingAMissingMoment() {
    AdamW adamW = new AdamW(parameters(), B1, B2, WD);
    Map<String, INDArray> state = new LinkedHashMap<>(adamW.state());
    state.remove("v/wte");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> adamW.restore(state, 3));
    assertEquals("optimizer state has no v/wte", e.getMessage());
  }

  @Test
  void worksInFloat() {
    Map<String, INDArray> p = new LinkedHashMap<>();
    p.put("w", Nd4j.rand(DataType.FLOAT, 3, 4));
    INDArray before = p.get("w").dup();
    Map<String, INDArray> g = Map.of("w", Nd4j.ones(DataType.FLOAT, 3, 4));
    new AdamW(p, B1, B2, 0).step(g, 1e-3);
    // first Adam step with g = 1 everywhere moves every element by lr (m_hat/sqrt(v_hat) = 1)
    assertArrayEquals(before.subi(1e-3).ravel().toFloatVector(), p.get("w").ravel().toFloatVector(), 1e-6f);
  }
}
