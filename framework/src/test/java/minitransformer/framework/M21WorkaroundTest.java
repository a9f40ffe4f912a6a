package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import minitransformer.framework.blocks.CrossEntropyLoss;
import minitransformer.framework.blocks.Gelu;
import minitransformer.framework.blocks.LayerNorm;
import minitransformer.framework.blocks.ParameterFactory;
import minitransformer.framework.blocks.TokenEmbedding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One regression test per M2.1 workaround (see framework/docs/samediff-m2.1.md). Each fails if the
 * block goes back to the op whose gradient or value is wrong.
 */
class M21WorkaroundTest {
  private static DataType savedFloat;
  private static DataType savedDefault;

  @BeforeAll
  static void doublePrecision() {
    savedDefault = Nd4j.dataType();
    savedFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @AfterAll
  static void restore() {
    Nd4j.setDefaultDataTypes(savedDefault, savedFloat);
  }

  /** sd.gather overwrote instead of accumulating: row 1 must get r0 + r1 + r3. */
  @Test
  void embeddingGradientAccumulatesOverRepeatedIds() {
    SameDiff sd = SameDiff.create();
    TokenEmbedding embedding = new TokenEmbedding(new ParameterFactory(sd, DataType.DOUBLE, 1), 4, 3);
    SDVariable ids = sd.constant(Nd4j.createFromArray(new int[][] {{1, 1, 2, 1}})); // (1, 4)
    SDVariable x = embedding.apply(sd, ids); // (4, 3)
    INDArray r = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}});
    SDVariable loss = x.mul(sd.constant(r)).sum(); // dL/dx = r
    sd.setLossVariables(loss);
    INDArray grad = sd.calculateGradients(Map.of(), Names.WTE).get(Names.WTE);
    INDArray expected =
        Nd4j.createFromArray(new double[][] {{0, 0, 0}, {15, 18, 21}, {7, 8, 9}, {0, 0, 0}});
    assertEquals(expected, grad);
  }

  /**
   * The built-in sparseSoftmaxCrossEntropy and softmaxCrossEntropy ignore the upstream gradient.
   * The loss must be the mean over rows, its gradient (softmax - y)/N, and 3·loss must have exactly
   * 3 times that gradient.
   */
  @Test
  void crossEntropyIsAMeanWhoseGradientRespectsUpstreamScaling() {
    double[][] z = {{0.5, -1.0, 2.0}, {0.0, 0.3, -0.2}, {1.5, 1.5, -3.0}, {-0.7, 0.1, 0.4}};
    int[] labels = {2, 0, 1, 1};
    int n = z.length;
    double expectedLoss = 0;
    double[][] expectedGrad = new double[n][3];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (double v : z[i]) {
        sum += Math.exp(v);
      }
      expectedLoss += (Math.log(sum) - z[i][labels[i]]) / n;
      for (int j = 0; j < 3; j++) {
        expectedGrad[i][j] = (Math.exp(z[i][j]) / sum - (j == labels[i] ? 1 : 0)) / n;
      }
    }
    for (double scale : new double[] {1.0, 3.0}) {
      SameDiff sd = SameDiff.create();
      SDVariable logits = sd.var("z", Nd4j.createFromArray(z));
      SDVariable targets = sd.constant(Nd4j.createFromArray(new int[][] {labels}));
      SDVariable loss = CrossEntropyLoss.apply(sd, "ce", logits, targets, 3);
      SDVariable scaled = loss.mul(scale);
      sd.setLossVariables(scaled);
      assertEquals(expectedLoss, sd.output(Map.of(), "ce").get("ce").getDouble(0), 1e-12);
      INDArray grad = sd.calculateGradients(Map.of(), "z").get("z");
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 3; j++) {
          assertEquals(scale * expectedGrad[i][j], grad.getDouble(i, j), 1e-12, "scale " + scale);
        }
      }
    }
  }

  /** sd.nn().layerNorm has no epsilon: a constant row gave NaN/Inf, tiny-variance rows were inflated. */
  @Test
  void layerNormHasEpsilon() {
    SameDiff sd = SameDiff.create();
    LayerNorm ln = new LayerNorm(new ParameterFactory(sd, DataType.DOUBLE, 1), "ln", 4, true, GPTConfig.DEFAULT_NORM_EPS);
    double[][] rows = {{0.3, 0.3, 0.3, 0.3}, {0.001, -0.002, 0.0005, 0.003}};
    SDVariable y = ln.apply(sd, sd.constant(Nd4j.createFromArray(rows)));
    INDArray out = y.eval();
    for (int j = 0; j < 4; j++) {
      assertEquals(0.0, out.getDouble(0, j), 0.0, "a constant row normalises to beta = 0");
    }
    double mean = (0.001 - 0.002 + 0.0005 + 0.003) / 4;
    double var = 0;
    for (double v : rows[1]) {
      var += (v - mean) * (v - mean) / 4;
    }
    for (int j = 0; j < 4; j++) {
      assertEquals((rows[1][j] - mean) / Math.sqrt(var + 1e-5), out.getDouble(1, j), 1e-12);
    }
  }

  /** M2.1's gelu is x·σ(1.702x); the model uses GPT-2's tanh form. */
  @Test
  void geluIsTheTanhForm() {
    SameDiff sd = SameDiff.create();
    double[] x = {-3, -1, -0.5, 0, 0.5, 1, 2};
    INDArray out = Gelu.apply(sd, sd.constant(Nd4j.createFromArray(x))).eval();
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      double expected = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
      assertEquals(expected, out.getDouble(i), 1e-12);
    }
  }

  /** The built-in attention ops crashed with causal masks; ours masks by addition: see also CausalityTest. */
  @Test
  void attentionProbabilitiesAreCausalInDoubleToo() {
    GPT gpt = GPT.create(TinyConfigs.tiny(), 3);
    INDArray ids = TinyConfigs.randomIds(2, 8, TinyConfigs.V, 4);
    INDArray att = gpt.outputs(ids, List.of(Names.attentionProbs(0))).get(Names.attentionProbs(0));
    assertArrayEquals(new long[] {2, 2, 8, 8}, att.shape());
    for (int t = 0; t < 8; t++) {
      for (int s = t + 1; s < 8; s++) {
        assertEquals(0.0, att.getDouble(1, 1, t, s), 0.0);
      }
    }
    assertTrue(att.getDouble(1, 1, 7, 0) > 0);
  }
}
