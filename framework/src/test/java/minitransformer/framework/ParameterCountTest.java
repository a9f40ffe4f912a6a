package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ParameterCountTest {
  @ParameterizedTest
  @CsvSource({
    "LEARNED, true, true", "LEARNED, false, false", "SINUSOIDAL, true, false", "SINUSOIDAL, false, true"
  })
  void configCountEqualsGraphCountRowByRow(PositionalEncoding pe, boolean bias, boolean tied) {
    GPTConfig config = new GPTConfig(13, 10, 3, 2, 12, pe, bias, tied, 0.0);
    ParameterCount fromGraph = ParameterCount.of(GPT.create(config, 1));
    ParameterCount fromConfig = ParameterCount.of(config);
    assertEquals(fromConfig.rows(), fromGraph.rows());
    assertEquals(fromConfig.total(), fromGraph.total());
    // 12C² + 13C per block with biases, 12C² + 2C without (only the two LayerNorm gammas).
    long C = 12;
    assertEquals(bias ? 12 * C * C + 13 * C : 12 * C * C + 2 * C, fromConfig.layer(1));
  }

  /** Every option: the count from the config alone equals the built graph's, row by row. */
  @ParameterizedTest
  @CsvSource({
    "ROPE, LAYERNORM, GELU, 0, 4, false, true", "NONE, RMSNORM, GELU, 0, 4, true, false",
    "LEARNED, RMSNORM, SWIGLU, 0, 2, true, true", "ROPE, RMSNORM, SWIGLU, 20, 1, false, false",
    "SINUSOIDAL, LAYERNORM, RELU2, 0, 2, true, true", "LEARNED, LAYERNORM, RELU2, 36, 4, false, false"
  })
  void everyOptionCountsAsTheGraph(
      PositionalEncoding pe, NormKind norm, MlpKind mlp, int hidden, int kvHeads, boolean bias, boolean tied) {
    GPTConfig config = new GPTConfig(13, 10, 2, 4, 16, pe, bias, tied, 0.0)
        .withNorm(norm, 1e-6).withMlp(mlp, hidden).withKvHeads(kvHeads).withQkNorm(true).withLogitSoftcap(5);
    ParameterCount fromGraph = ParameterCount.of(GPT.create(config, 1));
    ParameterCount fromConfig = ParameterCount.of(config);
    assertEquals(fromConfig.rows(), fromGraph.rows());
    // By hand: C 16, hs 4; W_K and W_V are [C, n_kv·hs]; an RMSNorm has no β.
    long C = 16;
    long kv = kvHeads * 4L;
    long H = config.mlpHidden();
    long attention = 2 * C * C + 2 * C * kv + (bias ? 2 * C + 2 * kv : 0);
    long mlpCount = (mlp == MlpKind.SWIGLU ? 3 * C * H : 2 * C * H)
        + (bias ? (mlp == MlpKind.SWIGLU ? 2 * H + C : H + C) : 0);
    long norms = 2 * C + (bias && norm == NormKind.LAYERNORM ? 2 * C : 0);
    assertEquals(attention + mlpCount + norms, fromConfig.layer(1));
  }

  @Test
  void mlpHiddenDefaults() {
    assertEquals(512, MlpKind.GELU.defaultHidden(128));
    assertEquals(512, MlpKind.RELU2.defaultHidden(128));
    assertEquals(384, MlpKind.SWIGLU.defaultHidden(128)); // 8·128/3 = 341.3 -> 384
    assertEquals(2048, MlpKind.SWIGLU.defaultHidden(768)); // exactly 2048
    // 10922.7 -> 10944; Llama rounds to a multiple of 256 (11,008), so its configs give mlp_hidden.
    assertEquals(10944, MlpKind.SWIGLU.defaultHidden(4096));
    assertEquals(64, MlpKind.SWIGLU.defaultHidden(1));
  }

  /** Meta's published total for Llama-2-7B (configs/llama2-7b.yaml has the same architecture). */
  @Test
  void llama2With7BParameters() {
    GPTConfig llama = new GPTConfig(32000, 4096, 32, 32, 4096, PositionalEncoding.ROPE, false, false, 0.0)
        .withNorm(NormKind.RMSNORM, 1e-5).withMlp(MlpKind.SWIGLU, 11008);
    ParameterCount count = ParameterCount.of(llama);
    assertEquals(6_738_415_616L, count.total());
    assertEquals(202_383_360L, count.layer(0)); // 4·4096² + 3·4096·11008 + 2·4096
  }

  @Test
  void gpt2SmallHas124MParameters() {
    GPTConfig gpt2 = new GPTConfig(50257, 1024, 12, 12, 768, PositionalEncoding.LEARNED, true, true, 0.0);
    ParameterCount count = ParameterCount.of(gpt2);
    assertEquals(124_439_808L, count.total()); // nanoGPT prints 123.65M, which leaves out wpe (786,432)
    assertEquals(7_087_872L, count.layer(0));
    assertEquals(1.0 / 3.0, count.attention() / (double) (count.attention() + count.mlp()), 0.001);
  }

  @Test
  void gpt3With175BCountsInLongArithmetic() {
    GPTConfig gpt3 = new GPTConfig(50257, 2048, 96, 96, 12288, PositionalEncoding.LEARNED, true, true, 0.0);
    ParameterCount count = ParameterCount.of(gpt3);
    assertEquals(174_604_259_328L, count.total());
    long rule = 12L * 96 * 12288 * 12288; // the 12·L·C² rule of thumb
    assertEquals(1.0, count.total() / (double) rule, 0.01);
    assertEquals(2.0 / 3.0, count.mlpShare() / (count.mlpShare() + count.attentionShare()), 0.001);
    assertFalse(count.table().isEmpty());
  }
}
