package minitransformer.framework.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.Names;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** The step-by-step explanation against the graph for every block option and for all of them together. */
class BlockOptionsExplanationTest {
  private static final int[] IDS = {3, 1, 4, 1, 5, 9, 2};

  /** vocab 11, T 8, C 16, 2 layers, 4 heads of hs 4; the options as named. */
  static GPTConfig config(PositionalEncoding pe, NormKind norm, double eps, MlpKind mlp, int nKv, boolean qkNorm) {
    return new GPTConfig(11, 8, 2, 4, 16, pe, false, true, 0.0, norm, eps, mlp, 0, nKv, qkNorm, 0.0, 100.0);
  }

  static Stream<Arguments> options() {
    PositionalEncoding learned = PositionalEncoding.LEARNED;
    PositionalEncoding rope = PositionalEncoding.ROPE;
    NormKind ln = NormKind.LAYERNORM;
    NormKind rms = NormKind.RMSNORM;
    return Stream.of(
        Arguments.of("rope", config(rope, ln, 1e-5, MlpKind.GELU, 4, false)),
        Arguments.of("none", config(PositionalEncoding.NONE, ln, 1e-5, MlpKind.GELU, 4, false)),
        Arguments.of("rmsnorm eps 1e-6", config(learned, rms, 1e-6, MlpKind.GELU, 4, false)),
        Arguments.of("layernorm eps 1e-3", config(learned, ln, 1e-3, MlpKind.GELU, 4, false)),
        Arguments.of("gqa 2 kv heads", config(learned, ln, 1e-5, MlpKind.GELU, 2, false)),
        Arguments.of("mqa 1 kv head", config(learned, ln, 1e-5, MlpKind.GELU, 1, false)),
        Arguments.of("qk_norm", config(learned, ln, 1e-5, MlpKind.GELU, 4, true)),
        Arguments.of("swiglu", config(learned, ln, 1e-5, MlpKind.SWIGLU, 4, false)),
        Arguments.of("relu2", config(learned, ln, 1e-5, MlpKind.RELU2, 4, false)),
        Arguments.of("all together", config(rope, rms, 1e-6, MlpKind.SWIGLU, 2, true)));
  }

  static GPT model(GPTConfig config) {
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("options")
  void recomputedWeightsAndBlockOutputAreTheGraphs(String name, GPTConfig config) {
    GPT gpt = model(config);
    int T = IDS.length;
    Map<String, INDArray> graph = gpt.outputs(GPT.idsArray(IDS, 1, T),
        List.of(Names.attentionProbs(0), Names.attentionProbs(1), Names.blockOut(0), Names.blockOut(1)));
    for (int layer = 0; layer < 2; layer++) {
      for (int t = 0; t < T; t++) {
        AttentionExplanation e = AttentionExplanation.of(gpt, IDS, layer, t);
        for (AttentionExplanation.Head head : e.heads()) {
          for (int s = 0; s < T; s++) {
            double expected = graph.get(Names.attentionProbs(layer)).getDouble(0, head.head(), t, s);
            assertEquals(expected, head.weights()[s], 1e-5, name + ": layer " + layer + " t " + t + " s " + s);
          }
        }
        INDArray out = graph.get(Names.blockOut(layer));
        for (int c = 0; c < config.nEmbd(); c++) {
          assertEquals(out.getDouble(0, t, c), e.blockOut()[c], 1e-5, name + ": block " + layer + " t " + t);
        }
        assertTrue(e.maxWeightDifference() < 1e-5, name);
        assertTrue(e.maxBlockOutDifference() < 1e-5, name);
      }
    }
  }

  @Test
  void ropeReportsTheAnglesAndTheRotationKeepsLengths() {
    GPT gpt = model(config(PositionalEncoding.ROPE, NormKind.LAYERNORM, 1e-5, MlpKind.GELU, 4, false));
    int t = 5;
    AttentionExplanation e = AttentionExplanation.of(gpt, IDS, 1, t);
    assertTrue(e.rotary());
    // θ_i = 100^(-2i/hs), hs 4: θ = (1, 0.1)
    assertArrayEquals(new double[] {5.0, 0.5}, e.angles(), 1e-12);
    for (AttentionExplanation.Head h : e.heads()) {
      assertEquals(Arrays2.norm(h.queryProjected()), Arrays2.norm(h.queryRotated()), 1e-12);
      assertArrayEquals(h.queryRotated(), h.query(), 0.0);
      // pair (0, 2) turns by 5 rad: q'[0] = q[0]cos 5 - q[2] sin 5
      double[] q = h.queryProjected();
      assertEquals(q[0] * Math.cos(5) - q[2] * Math.sin(5), h.queryRotated()[0], 1e-12);
      assertEquals(q[2] * Math.cos(5) + q[0] * Math.sin(5), h.queryRotated()[2], 1e-12);
      // position 0 is not rotated
      assertArrayEquals(h.keysProjected()[0], h.keysRotated()[0], 1e-12);
    }
  }

  @Test
  void groupedQueryHeadsReadTheirKeyValueHead() {
    GPT gpt = model(config(PositionalEncoding.LEARNED, NormKind.LAYERNORM, 1e-5, MlpKind.GELU, 2, false));
    AttentionExplanation e = AttentionExplanation.of(gpt, IDS, 0, 4);
    assertTrue(e.grouped());
    assertEquals(2, e.kvHeads());
    assertEquals(List.of(0, 0, 1, 1), e.heads().stream().map(AttentionExplanation.Head::kvHead).toList());
    assertArrayEquals(e.heads().get(0).values()[3], e.heads().get(1).values()[3], 0.0);
    assertFalse(java.util.Arrays.equals(e.heads().get(1).values()[3], e.heads().get(2).values()[3]));
  }

  @Test
  void qkNormLeavesQAndKOfRootMeanSquareOne() {
    GPT gpt = model(config(PositionalEncoding.ROPE, NormKind.RMSNORM, 1e-6, MlpKind.GELU, 4, true));
    AttentionExplanation e = AttentionExplanation.of(gpt, IDS, 1, 3);
    assertTrue(e.qkNorm());
    for (AttentionExplanation.Head h : e.heads()) {
      assertEquals(2.0, Arrays2.norm(h.query()), 1e-4); // √hs · rms 1
      assertEquals(2.0, Arrays2.norm(h.keys()[2]), 1e-4);
      assertArrayEquals(h.queryRotated(), h.queryBeforeNorm(), 0.0);
    }
  }

  @Test
  void gpt2BlocksReportNoOptionSteps() {
    AttentionExplanation e = AttentionExplanation.of(AnalysisTest.tinyModel(true), IDS, 0, 3);
    assertFalse(e.rotary());
    assertFalse(e.grouped());
    assertFalse(e.qkNorm());
    assertNull(e.angles());
    for (AttentionExplanation.Head h : e.heads()) {
      assertEquals(h.head(), h.kvHead());
      assertNull(h.queryRotated());
      assertArrayEquals(h.queryProjected(), h.query(), 0.0);
    }
  }
}
