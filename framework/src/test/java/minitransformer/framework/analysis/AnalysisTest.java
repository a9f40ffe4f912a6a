package minitransformer.framework.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** The analyses against the graph: attention maps, the step-by-step q·k explanation, hidden states. */
class AnalysisTest {
  private static final int[] IDS = {3, 1, 4, 1, 5, 9, 2};

  /** A tiny model (vocab 11, T 8, C 16, 2 layers, 2 heads) with weights large enough to give sharp patterns. */
  static GPT tinyModel(boolean bias) {
    GPTConfig config = new GPTConfig(11, 8, 2, 2, 16, PositionalEncoding.LEARNED, bias, true, 0.0);
    GPT gpt = GPT.create(config, 21);
    Random rng = Nd4j.getRandomFactory().getNewRandomInstance(5);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((name, w) -> {
      INDArray v = Nd4j.randn(rng, w.shape()).muli(0.4).castTo(w.dataType());
      if (name.endsWith("gamma")) {
        v.addi(1.0);
      }
      values.put(name, v);
    });
    gpt.loadParameters(values);
    return gpt;
  }

  @Test
  void attentionMapsAreTheGraphsProbabilities() {
    GPT gpt = tinyModel(true);
    AttentionMaps maps = AttentionMaps.of(gpt, IDS);
    assertEquals(2, maps.layers());
    assertEquals(2, maps.heads());
    assertEquals(IDS.length, maps.length());
    int T = IDS.length;
    for (int l = 0; l < 2; l++) {
      INDArray probs = gpt.outputs(GPT.idsArray(IDS, 1, T), List.of(Names.attentionProbs(l)))
          .get(Names.attentionProbs(l));
      for (int h = 0; h < 2; h++) {
        for (int t = 0; t < T; t++) {
          double rowSum = 0;
          for (int s = 0; s < T; s++) {
            assertEquals(probs.getDouble(0, h, t, s), maps.weight(l, h, t, s), 0.0);
            rowSum += maps.weight(l, h, t, s);
            if (s > t) {
              assertEquals(0.0, maps.weight(l, h, t, s), 0.0, "masked cell " + t + "," + s);
            }
          }
          assertEquals(1.0, rowSum, 1e-5);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void explanationRecomputesTheGraphWithin1e5(boolean bias) {
    GPT gpt = tinyModel(bias);
    int T = IDS.length;
    int C = 16;
    Map<String, INDArray> graph = gpt.outputs(GPT.idsArray(IDS, 1, T),
        List.of(Names.attentionProbs(0), Names.attentionProbs(1), Names.blockOut(0), Names.blockOut(1)));
    double sharpest = 0;
    for (int layer = 0; layer < 2; layer++) {
      for (int t = 0; t < T; t++) {
        AttentionExplanation e = AttentionExplanation.of(gpt, IDS, layer, t);
        assertEquals(2, e.heads().size());
        for (AttentionExplanation.Head head : e.heads()) {
          double contributionsSum = 0;
          for (int s = 0; s < T; s++) {
            double expected = graph.get(Names.attentionProbs(layer)).getDouble(0, head.head(), t, s);
            assertEquals(expected, head.weights()[s], 1e-5, "layer " + layer + " t " + t + " s " + s);
            assertEquals(s > t, head.masked(s));
            sharpest = Math.max(sharpest, head.weights()[s]);
            if (s <= t) {
              assertEquals(head.dots()[s] / Math.sqrt(8), head.scores()[s], 1e-12);
              contributionsSum += head.contributions()[s][0];
            }
          }
          assertEquals(contributionsSum, head.output()[0], 1e-12);
        }
        // concat(heads)·W_O + b_O + residual, then the MLP, equals the graph's block output.
        INDArray out = graph.get(Names.blockOut(layer));
        for (int c = 0; c < C; c++) {
          assertEquals(out.getDouble(0, t, c), e.blockOut()[c], 1e-5, "block " + layer + " t " + t + " c " + c);
        }
        assertTrue(e.maxWeightDifference() < 1e-5);
        assertTrue(e.maxBlockOutDifference() < 1e-5);
      }
    }
    assertTrue(sharpest > 0.6, "patterns too flat to test anything: max weight " + sharpest);
  }

  @Test
  void explanationRefusesALayerOrPositionOutOfRange() {
    GPT gpt = tinyModel(false);
    ModelConfigException layer = assertThrows(ModelConfigException.class,
        () -> AttentionExplanation.of(gpt, IDS, 2, 0));
    assertTrue(layer.getMessage().contains("layer 2"), layer.getMessage());
    ModelConfigException position = assertThrows(ModelConfigException.class,
        () -> AttentionExplanation.of(gpt, IDS, 0, IDS.length));
    assertTrue(position.getMessage().contains("position 7"), position.getMessage());
  }

  @Test
  void similarityMeasures() {
    double[] a = {1, 2, 2, 0};
    double[] b = {2, 4, 4, 0};
    double[] c = {0, 0, 0, 3};
    assertEquals(18.0, Similarity.DOT.of(a, b), 1e-12);
    assertEquals(1.0, Similarity.COSINE.of(a, b), 1e-12);
    assertEquals(0.0, Similarity.COSINE.of(a, c), 1e-12);
    assertEquals(9.0, Similarity.SCALED_DOT.of(a, b), 1e-12); // 18 / √4
    double[][] table = Similarity.COSINE.table(new double[][] {a, b, c});
    assertEquals(1.0, table[2][2], 1e-12);
    assertEquals(table[0][2], table[2][0], 0.0);
  }

  @Test
  void nearestByCosineFindsAScaledCopy() {
    GPT gpt = tinyModel(false);
    INDArray wte = gpt.parameters().get(Names.WTE);
    wte.getRow(7).assign(wte.getRow(2).mul(-3.0)); // opposite direction: cosine -1
    wte.getRow(9).assign(wte.getRow(2).mul(2.5)); // same direction: cosine 1
    TokenEmbeddings embeddings = TokenEmbeddings.of(gpt);
    List<TokenEmbeddings.Neighbour> nearest = embeddings.nearest(2, 3, Similarity.COSINE);
    assertEquals(3, nearest.size());
    assertEquals(9, nearest.get(0).id());
    assertEquals(1.0, nearest.get(0).similarity(), 1e-6);
    assertTrue(nearest.get(1).similarity() >= nearest.get(2).similarity());
    assertTrue(nearest.stream().noneMatch(n -> n.id() == 2 || n.id() == 7));
  }

  @Test
  void hiddenStatesFollowOneTokenThroughTheLayers() {
    GPT gpt = tinyModel(true);
    int t = 4;
    HiddenStates states = HiddenStates.of(gpt, IDS, t);
    assertEquals(List.of("emb/out", "h0/out", "h1/out", "ln_f/out"), states.stages());
    // The first stage is the token's embedding plus its position's: wte[id] + wpe[t].
    double[] wte = TokenEmbeddings.of(gpt).vector(IDS[t]);
    INDArray wpe = gpt.parameters().get(Names.WPE);
    for (int c = 0; c < 16; c++) {
      assertEquals(wte[c] + wpe.getDouble(t, c), states.vectors()[0][c], 1e-6);
    }
    INDArray h1 = gpt.outputs(GPT.idsArray(IDS, 1, IDS.length), List.of(Names.blockOut(1))).get(Names.blockOut(1));
    assertEquals(h1.getDouble(0, t, 5), states.vectors()[2][5], 0.0);
    double[][] cosines = states.similarities(new double[][] {states.vectors()[0], wte}, Similarity.COSINE);
    assertEquals(1.0, cosines[0][0], 1e-12);
    assertEquals(Similarity.COSINE.of(states.vectors()[3], wte), cosines[3][1], 1e-12);
  }
}
