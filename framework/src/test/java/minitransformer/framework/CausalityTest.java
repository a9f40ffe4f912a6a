package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class CausalityTest {
  @Test
  void changingLaterTokensLeavesEarlierLogitsUnchanged() {
    assertCausal(TinyConfigs.tiny());
  }

  /** Every block option keeps the model causal (C 16, 4 heads of size 4). */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("options")
  void everyOptionIsCausal(String name, GPTConfig config) {
    assertCausal(config);
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> options() {
    GPTConfig base = new GPTConfig(TinyConfigs.V, 8, 2, 4, TinyConfigs.C, PositionalEncoding.LEARNED, true, true, 0.0);
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("rope", base.withPositionalEncoding(PositionalEncoding.ROPE)),
        org.junit.jupiter.params.provider.Arguments.of("none", base.withPositionalEncoding(PositionalEncoding.NONE)),
        org.junit.jupiter.params.provider.Arguments.of("rmsnorm", base.withNorm(NormKind.RMSNORM, 1e-6)),
        org.junit.jupiter.params.provider.Arguments.of("swiglu", base.withMlp(MlpKind.SWIGLU, 0)),
        org.junit.jupiter.params.provider.Arguments.of("relu2", base.withMlp(MlpKind.RELU2, 0)),
        org.junit.jupiter.params.provider.Arguments.of("gqa", base.withKvHeads(2)),
        org.junit.jupiter.params.provider.Arguments.of("mqa", base.withKvHeads(1)),
        org.junit.jupiter.params.provider.Arguments.of("qk_norm", base.withQkNorm(true)),
        org.junit.jupiter.params.provider.Arguments.of("softcap", base.withLogitSoftcap(2.0)),
        org.junit.jupiter.params.provider.Arguments.of("all", base.withPositionalEncoding(PositionalEncoding.ROPE)
            .withNorm(NormKind.RMSNORM, 1e-6).withMlp(MlpKind.SWIGLU, 0).withKvHeads(2).withQkNorm(true)
            .withLogitSoftcap(2.0)));
  }

  private static void assertCausal(GPTConfig config) {
    GPT gpt = GPT.create(config, 4);
    TestWeights.randomise(gpt, 0.2, 8);
    INDArray ids = TinyConfigs.randomIds(2, 8, TinyConfigs.V, 1);
    int t = 4;
    INDArray changed = ids.dup();
    for (int s = t + 1; s < 8; s++) {
      changed.putScalar(0, s, (ids.getInt(0, s) + 1) % TinyConfigs.V);
      changed.putScalar(1, s, (ids.getInt(1, s) + 5) % TinyConfigs.V);
    }
    INDArray before = gpt.logits(ids);
    INDArray after = gpt.logits(changed);
    double maxLaterDifference = 0;
    for (int b = 0; b < 2; b++) {
      for (int s = 0; s < 8; s++) {
        for (int v = 0; v < TinyConfigs.V; v++) {
          double d = Math.abs(before.getDouble(b, s, v) - after.getDouble(b, s, v));
          if (s <= t) {
            assertEquals(0.0, d, 1e-6, "logit changed at position " + s + " <= " + t);
          } else {
            maxLaterDifference = Math.max(maxLaterDifference, d);
          }
        }
      }
    }
    assertTrue(maxLaterDifference > 1e-3, "the change must show after t: " + maxLaterDifference);
  }

  @Test
  void attentionRowsSumToOneAndAreZeroAboveTheDiagonal() {
    GPTConfig config = TinyConfigs.tiny();
    GPT gpt = GPT.create(config, 4);
    TestWeights.randomise(gpt, 0.3, 9);
    INDArray ids = TinyConfigs.randomIds(3, 8, TinyConfigs.V, 2);
    List<String> names = List.of(Names.attentionProbs(0), Names.attentionProbs(1));
    Map<String, INDArray> out = gpt.outputs(ids, names);
    for (String name : names) {
      INDArray att = out.get(name); // (B, nh, T, T)
      for (int b = 0; b < 3; b++) {
        for (int h = 0; h < config.nHead(); h++) {
          for (int t = 0; t < 8; t++) {
            double sum = 0;
            for (int s = 0; s < 8; s++) {
              double a = att.getDouble(b, h, t, s);
              if (s > t) {
                assertEquals(0.0, a, 0.0, name + " attends to the future at " + t + "," + s);
              } else {
                assertTrue(a > 0, name + " row " + t + " ignores key " + s);
              }
              sum += a;
            }
            assertEquals(1.0, sum, 1e-6, name + " row " + t);
          }
        }
      }
    }
  }
}
