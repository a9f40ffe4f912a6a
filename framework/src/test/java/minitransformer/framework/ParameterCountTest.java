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
