package minitransformer.framework.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import minitransformer.framework.GPT;
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

  @Test
  void asymmetryIsZeroForSymmetricAndTwoForAntisymmetric() {
    assertEquals(0.0, RawScores.asymmetry(new double[][] {{1, 2}, {2, 5}}), 0.0);
    assertEquals(2.0, RawScores.asymmetry(new double[][] {{0, 3}, {-3, 0}}), 1e-12);
    assertEquals(0.0, RawScores.asymmetry(new double[][] {{0, 0}, {0, 0}}), 0.0);
  }
}
