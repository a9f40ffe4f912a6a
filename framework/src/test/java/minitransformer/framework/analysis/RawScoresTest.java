package minitransformer.framework.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The raw score matrix q·kᵀ before the mask: its visible half is the explanation's q·k, and W_Q = W_K makes it symmetric. */
class RawScoresTest {
  private static final int[] IDS = {3, 1, 4, 1, 5, 9, 2};

  @Test
  void visibleEntriesAreTheExplanationsDotProducts() {
    GPT gpt = AnalysisTest.tinyModel(true);
    for (int layer = 0; layer < 2; layer++) {
      RawScores raw = RawScores.of(gpt, IDS, layer);
      for (int t = 0; t < IDS.length; t++) {
        AttentionExplanation e = AttentionExplanation.of(gpt, IDS, layer, t);
        for (AttentionExplanation.Head h : e.heads()) {
          for (int s = 0; s <= t; s++) {
            assertEquals(h.dots()[s], raw.matrix(h.head())[t][s], 1e-9, "layer " + layer + " t " + t + " s " + s);
            assertEquals(raw.matrix(h.head())[t][s], raw.transposed(h.head())[s][t], 0.0);
          }
        }
      }
      for (int h = 0; h < 2; h++) {
        assertTrue(raw.asymmetry(h) > 0.1, "two different random matrices: far from symmetric, " + raw.asymmetry(h));
      }
    }
    assertThrows(ModelConfigException.class, () -> RawScores.of(gpt, IDS, 2));
  }

  @Test
  void oneSharedMatrixGivesASymmetricScoreMatrix() {
    GPT gpt = AnalysisTest.tinyModel(false);
    Map<String, INDArray> shared = new HashMap<>();
    gpt.parameters().forEach((name, w) -> shared.put(name, w.dup()));
    shared.put(Names.wK(0), shared.get(Names.wQ(0)).dup());
    gpt.loadParameters(shared);
    RawScores raw = RawScores.of(gpt, IDS, 0);
    for (int h = 0; h < 2; h++) {
      assertEquals(0.0, raw.asymmetry(h), 1e-6);
    }
    assertTrue(RawScores.of(gpt, IDS, 1).asymmetry(0) > 0.1, "layer 1 keeps two matrices");
  }

  /** The graph's own scores (the path of models with other blocks) agree with the recomputed ones. */
  @Test
  void theGraphsScoresEqualTheRecomputedOnes() {
    GPT gpt = AnalysisTest.tinyModel(true);
    for (int layer = 0; layer < 2; layer++) {
      RawScores recomputed = RawScores.of(gpt, IDS, layer);
      RawScores graph = RawScores.fromGraph(gpt, IDS, layer);
      for (int h = 0; h < 2; h++) {
        for (int t = 0; t < IDS.length; t++) {
          for (int s = 0; s < IDS.length; s++) {
            double want = recomputed.matrix(h)[t][s];
            assertEquals(want, graph.matrix(h)[t][s], 1e-5 + 1e-5 * Math.abs(want), "h" + h + " t" + t + " s" + s);
          }
        }
      }
    }
  }

  /** With rope, grouped keys and QK-norm the view reads the graph: its visible half gives the attention pattern. */
  @Test
  void otherBlocksGiveTheScoresBehindTheAttentionPattern() {
    GPTConfig config = new GPTConfig(11, 8, 2, 4, 16, PositionalEncoding.ROPE, false, true, 0.0)
        .withKvHeads(2).withQkNorm(true).withNorm(NormKind.RMSNORM, 1e-6);
    GPT gpt = GPT.create(config, 3);
    org.nd4j.linalg.api.rng.Random rng = org.nd4j.linalg.factory.Nd4j.getRandomFactory().getNewRandomInstance(7);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((name, w) -> values.put(name,
        org.nd4j.linalg.factory.Nd4j.randn(rng, w.shape()).muli(0.4).addi(name.endsWith("gamma") ? 1.0 : 0.0)
            .castTo(w.dataType())));
    gpt.loadParameters(values);
    for (int layer = 0; layer < 2; layer++) {
      RawScores raw = RawScores.of(gpt, IDS, layer);
      INDArray probs = gpt.outputs(GPT.idsArray(IDS, 1, IDS.length), java.util.List.of(Names.attentionProbs(layer)))
          .get(Names.attentionProbs(layer)); // (1, nh, T, T)
      for (int h = 0; h < 4; h++) {
        double[][] a = raw.matrix(h);
        for (int t = 0; t < IDS.length; t++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int s = 0; s <= t; s++) {
            max = Math.max(max, a[t][s] / 2.0); // / √hs, hs 4
          }
          double sum = 0;
          for (int s = 0; s <= t; s++) {
            sum += Math.exp(a[t][s] / 2.0 - max);
          }
          for (int s = 0; s <= t; s++) {
            assertEquals(probs.getDouble(0, h, t, s), Math.exp(a[t][s] / 2.0 - max) / sum, 1e-5);
          }
        }
        assertTrue(raw.asymmetry(h) > 0.01, "layer " + layer + " head " + h + ": " + raw.asymmetry(h));
      }
    }
  }

  @Test
  void asymmetryIsZeroForSymmetricAndTwoForAntisymmetric() {
    assertEquals(0.0, RawScores.asymmetry(new double[][] {{1, 2}, {2, 5}}), 0.0);
    assertEquals(2.0, RawScores.asymmetry(new double[][] {{0, 3}, {-3, 0}}), 1e-12);
    assertEquals(0.0, RawScores.asymmetry(new double[][] {{0, 0}, {0, 0}}), 0.0);
  }
}
