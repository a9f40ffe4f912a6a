package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import minitransformer.framework.blocks.Block;
import minitransformer.framework.blocks.CausalSelfAttention;
import minitransformer.framework.blocks.Dropout;
import minitransformer.framework.blocks.LayerNorm;
import minitransformer.framework.blocks.Norm;
import minitransformer.framework.blocks.FeedForward;
import minitransformer.framework.blocks.ParameterFactory;
import minitransformer.framework.blocks.Sequence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference gradient checks in double precision: each block on its own (with a random
 * linear loss sum(y ⊙ R) so every output entry matters), then the whole model.
 */
class GradientCheckTest {
  private static DataType savedFloat;
  private static DataType savedDefault;

  private static final int B = 2;
  private static final int T = 5;

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

  /** A small config for block checks: C 8, 2 heads, block 6 (T 5 < block: the mask is sliced). */
  private static GPTConfig small(boolean bias, int nLayer) {
    return new GPTConfig(7, 6, nLayer, 2, 8, PositionalEncoding.LEARNED, bias, true, 0.0);
  }

  /** sd holding x (B*T, C) ~ N(0,1) as a variable and the Sequence sizes; loss set on apply. */
  private record Harness(SameDiff sd, SDVariable x, Sequence seq, ParameterFactory params) {
    static Harness of(GPTConfig config) {
      SameDiff sd = SameDiff.create();
      INDArray xValue = Nd4j.randn(Nd4j.getRandomFactory().getNewRandomInstance(3), B * T, config.nEmbd());
      SDVariable x = sd.var("x", xValue);
      SDVariable shapeSource = sd.constant(Nd4j.zeros(DataType.INT32, B, T));
      Sequence seq = Sequence.of(sd, shapeSource, config.blockSize(), DataType.DOUBLE);
      // Larger weights than GPT-2's 0.02 so that the softmax and GELU are far from linear.
      return new Harness(sd, x, seq, new ParameterFactory(sd, DataType.DOUBLE, 11));
    }

    void lossOn(SDVariable y) {
      // y is (B*T, C); R ~ U(0, 1), drawn from a fixed seed.
      INDArray r = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(4), B * T, x.getArr().size(1));
      SDVariable loss = y.mul(sd.constant(r)).sum();
      sd.setLossVariables(loss);
    }
  }

  private static void scaleParameters(SameDiff sd, double factor) {
    org.nd4j.linalg.api.rng.Random random = Nd4j.getRandomFactory().getNewRandomInstance(6); // fixed, as every draw here
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE && !v.name().equals("x")) {
        v.getArr().muli(factor);
        if (v.name().endsWith("gamma")) {
          v.getArr().addi(Nd4j.rand(random, v.getArr().shape()).castTo(DataType.DOUBLE));
        }
      }
    }
  }

  private static void assertGradientsMatch(SameDiff sd, Map<String, INDArray> placeholders) {
    assertGradientsMatch(sd, placeholders, 8);
  }

  /** Fails listing every entry (parameter[index]: analytic, numeric) whose gradients disagree. */
  private static void assertGradientsMatch(SameDiff sd, Map<String, INDArray> placeholders, int perVariable) {
    List<String> failures = FiniteDifferences.check(sd, placeholders, perVariable);
    assertEquals(List.of(), failures, failures.size() + " entries disagree with finite differences");
  }

  /** The checker itself: sd.gather's gradient is wrong for repeated ids (framework/docs/samediff-m2.1.md), row 1 only. */
  @Test
  void aWrongGradientIsReportedByParameterAndIndex() {
    SameDiff sd = SameDiff.create();
    SDVariable w = sd.var("w", Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(5), 4, 3));
    SDVariable rows = sd.gather(w, sd.constant(Nd4j.createFromArray(1, 1, 2, 1)), 0); // (4, 3), row 1 three times
    INDArray r = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}});
    sd.setLossVariables(rows.mul(sd.constant(r)).sum());
    List<String> failures = FiniteDifferences.check(sd, Map.of(), 12);
    assertEquals(List.of("w[3]", "w[4]", "w[5]"), failures.stream().map(f -> f.substring(0, f.indexOf(':'))).toList(),
        failures.toString());
  }

  @Test
  void attention() {
    GPTConfig config = small(true, 1);
    Harness h = Harness.of(config);
    CausalSelfAttention attn = new CausalSelfAttention(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    SDVariable y = attn.apply(h.sd(), h.x(), h.seq());
    h.lossOn(y);
    scaleParameters(h.sd(), 20); // weights std 0.4: peaked, non-uniform attention
    assertGradientsMatch(h.sd(), Map.of());
  }

  /** Every entry, through ND4J's own checker (no bias: a key bias has an exactly-zero gradient). */
  @Test
  void attentionWithoutBiasByGradCheckUtil() {
    GPTConfig config = small(false, 1);
    Harness h = Harness.of(config);
    CausalSelfAttention attn = new CausalSelfAttention(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    h.lossOn(attn.apply(h.sd(), h.x(), h.seq()));
    scaleParameters(h.sd(), 20);
    assertTrue(GradCheckUtil.checkGradients(h.sd(), Map.of(), 1e-6, 1e-5, 1e-8, false, false));
  }

  /** C 8, 4 heads of size 2 (rope needs an even head size), block 6, no bias; one block. */
  private static GPTConfig fourHeads() {
    return new GPTConfig(7, 6, 1, 4, 8, PositionalEncoding.LEARNED, false, true, 0.0);
  }

  private static void checkAttention(GPTConfig config) {
    Harness h = Harness.of(config);
    CausalSelfAttention attn = new CausalSelfAttention(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    h.lossOn(attn.apply(h.sd(), h.x(), h.seq()));
    scaleParameters(h.sd(), 20);
    assertGradientsMatch(h.sd(), Map.of(), 12);
  }

  @Test
  void attentionWithRope() {
    checkAttention(fourHeads().withPositionalEncoding(PositionalEncoding.ROPE).withRopeTheta(100));
  }

  @Test
  void attentionGroupedQuery() {
    checkAttention(fourHeads().withKvHeads(2));
  }

  @Test
  void attentionMultiQuery() {
    checkAttention(fourHeads().withKvHeads(1));
  }

  @Test
  void attentionWithQkNorm() {
    checkAttention(fourHeads().withQkNorm(true));
  }

  @Test
  void attentionWithRopeQkNormAndGroupedQueryWithBias() {
    GPTConfig base = new GPTConfig(7, 6, 1, 4, 8, PositionalEncoding.ROPE, true, true, 0.0);
    checkAttention(base.withKvHeads(2).withQkNorm(true));
  }

  @Test
  void rmsNorm() {
    GPTConfig config = small(false, 1).withNorm(NormKind.RMSNORM, 1e-6);
    Harness h = Harness.of(config);
    Norm ln = Norm.of(h.params(), "ln", config);
    h.lossOn(ln.apply(h.sd(), h.x()));
    scaleParameters(h.sd(), 1);
    assertGradientsMatch(h.sd(), Map.of());
  }

  @Test
  void swiGlu() {
    GPTConfig config = small(true, 1).withMlp(MlpKind.SWIGLU, 12);
    Harness h = Harness.of(config);
    FeedForward mlp = FeedForward.of(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    h.lossOn(mlp.apply(h.sd(), h.x()));
    scaleParameters(h.sd(), 30);
    assertGradientsMatch(h.sd(), Map.of(), 12);
  }

  @Test
  void reluSquared() {
    GPTConfig config = small(true, 1).withMlp(MlpKind.RELU2, 0);
    Harness h = Harness.of(config);
    FeedForward mlp = FeedForward.of(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    h.lossOn(mlp.apply(h.sd(), h.x()));
    scaleParameters(h.sd(), 30);
    assertGradientsMatch(h.sd(), Map.of(), 12);
  }

  /** Every new block at once in one block: rope, RMSNorm, SwiGLU, grouped keys, QK-norm. */
  @Test
  void oneLlamaBlock() {
    GPTConfig config = new GPTConfig(7, 6, 1, 4, 8, PositionalEncoding.ROPE, false, true, 0.0)
        .withNorm(NormKind.RMSNORM, 1e-6).withMlp(MlpKind.SWIGLU, 0).withKvHeads(2).withQkNorm(true);
    Harness h = Harness.of(config);
    Block block = new Block(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    h.lossOn(block.apply(h.sd(), h.x(), h.seq()));
    scaleParameters(h.sd(), 20);
    assertGradientsMatch(h.sd(), Map.of());
  }

  @Test
  void mlp() {
    GPTConfig config = small(true, 1);
    Harness h = Harness.of(config);
    FeedForward mlp = FeedForward.of(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    h.lossOn(mlp.apply(h.sd(), h.x()));
    scaleParameters(h.sd(), 30);
    assertGradientsMatch(h.sd(), Map.of());
  }

  @Test
  void layerNorm() {
    GPTConfig config = small(true, 1);
    Harness h = Harness.of(config);
    LayerNorm ln = new LayerNorm(h.params(), "ln", config.nEmbd(), true, GPTConfig.DEFAULT_NORM_EPS);
    h.lossOn(ln.apply(h.sd(), h.x()));
    scaleParameters(h.sd(), 1);
    assertGradientsMatch(h.sd(), Map.of());
  }

  @Test
  void oneBlock() {
    GPTConfig config = small(true, 1);
    Harness h = Harness.of(config);
    Block block = new Block(h.params(), new Dropout(0, DataType.DOUBLE), config, 0);
    h.lossOn(block.apply(h.sd(), h.x(), h.seq()));
    scaleParameters(h.sd(), 20);
    assertGradientsMatch(h.sd(), Map.of());
  }

  /** The whole model with the cross-entropy loss; ids repeat, so the embedding gradient must accumulate. */
  private static void checkWholeModel(GPTConfig config) {
    GPT gpt = GPT.create(config, 5);
    scaleParameters(gpt.sameDiff(), 10);
    INDArray ids = TinyConfigs.randomIds(B, T, config.vocabSize(), 1); // 10 ids over 7: repeats
    INDArray targets = TinyConfigs.randomIds(B, T, config.vocabSize(), 2);
    Map<String, INDArray> feed = new HashMap<>(gpt.trainingFeed(ids, targets, 9));
    assertGradientsMatch(gpt.sameDiff(), feed, 4);
  }

  @Test
  void wholeModelLearnedPositions() {
    checkWholeModel(new GPTConfig(7, 6, 2, 2, 8, PositionalEncoding.LEARNED, true, true, 0.0));
  }

  @Test
  void wholeModelSinusoidalPositionsUntiedNoBias() {
    checkWholeModel(new GPTConfig(7, 6, 2, 2, 8, PositionalEncoding.SINUSOIDAL, false, false, 0.0));
  }

  /** Each option alone on the whole model (2 layers, C 8, 4 heads), then all of them together. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> options() {
    GPTConfig base = new GPTConfig(7, 6, 2, 4, 8, PositionalEncoding.LEARNED, false, true, 0.0);
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("rope", base.withPositionalEncoding(PositionalEncoding.ROPE)),
        org.junit.jupiter.params.provider.Arguments.of("none", base.withPositionalEncoding(PositionalEncoding.NONE)),
        org.junit.jupiter.params.provider.Arguments.of("rmsnorm", base.withNorm(NormKind.RMSNORM, 1e-6)),
        org.junit.jupiter.params.provider.Arguments.of("layernorm eps 1e-3, bias", new GPTConfig(
            7, 6, 2, 4, 8, PositionalEncoding.LEARNED, true, false, 0.0).withNorm(NormKind.LAYERNORM, 1e-3)),
        org.junit.jupiter.params.provider.Arguments.of("swiglu", base.withMlp(MlpKind.SWIGLU, 0)),
        org.junit.jupiter.params.provider.Arguments.of("relu2", base.withMlp(MlpKind.RELU2, 0)),
        org.junit.jupiter.params.provider.Arguments.of("gqa 2", base.withKvHeads(2)),
        org.junit.jupiter.params.provider.Arguments.of("mqa", base.withKvHeads(1)),
        org.junit.jupiter.params.provider.Arguments.of("qk_norm", base.withQkNorm(true)),
        org.junit.jupiter.params.provider.Arguments.of("softcap", base.withLogitSoftcap(2.0)),
        org.junit.jupiter.params.provider.Arguments.of("all, untied, dropout", new GPTConfig(
                7, 6, 2, 4, 8, PositionalEncoding.ROPE, false, false, 0.1)
            .withNorm(NormKind.RMSNORM, 1e-6).withMlp(MlpKind.SWIGLU, 0).withKvHeads(2).withQkNorm(true)
            .withLogitSoftcap(3.0)));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("options")
  void wholeModelWithEachOption(String name, GPTConfig config) {
    checkWholeModel(config);
  }

  @Test
  void wholeModelWithDropoutMasks() {
    checkWholeModel(new GPTConfig(7, 6, 1, 2, 8, PositionalEncoding.LEARNED, true, false, 0.2));
  }
}
