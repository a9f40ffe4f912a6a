package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GPTConfigTest {
  private static String message(int v, int block, int layers, int heads, int embd, double dropout) {
    return assertThrows(
            ModelConfigException.class,
            () -> new GPTConfig(v, block, layers, heads, embd, PositionalEncoding.LEARNED, true, true, dropout))
        .getMessage();
  }

  @Test
  void messagesNameTheKeyAndTheValue() {
    assertEquals("n_embd (100) must be divisible by n_head (3)", message(65, 64, 4, 3, 100, 0));
    assertEquals("vocab_size (0) must be positive", message(0, 64, 4, 4, 128, 0));
    assertEquals("block_size (-1) must be positive", message(65, -1, 4, 4, 128, 0));
    assertEquals("n_layer (0) must be positive", message(65, 64, 0, 4, 128, 0));
    assertEquals("n_head (0) must be positive", message(65, 64, 4, 0, 128, 0));
    assertEquals("n_embd (0) must be positive", message(65, 64, 4, 4, 0, 0));
    assertEquals("dropout (1.0) must be in [0, 1)", message(65, 64, 4, 4, 128, 1.0));
    assertEquals("dropout (-0.1) must be in [0, 1)", message(65, 64, 4, 4, 128, -0.1));
    assertEquals("dropout (NaN) must be in [0, 1)", message(65, 64, 4, 4, 128, Double.NaN));
  }

  private static String refused(java.util.function.Supplier<GPTConfig> config) {
    return assertThrows(ModelConfigException.class, config::get).getMessage();
  }

  @Test
  void blockOptionsAreRefusedNamingTheKeyAndValue() {
    GPTConfig base = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0);
    assertEquals("n_kv_head (3) must divide n_head (4) and be at least 1", refused(() -> base.withKvHeads(3)));
    assertEquals("n_kv_head (8) must divide n_head (4) and be at least 1", refused(() -> base.withKvHeads(8)));
    assertEquals("n_kv_head (-1) must divide n_head (4) and be at least 1", refused(() -> base.withKvHeads(-1)));
    assertEquals("norm_eps (0.0) must be in (0, 1)", refused(() -> base.withNorm(NormKind.RMSNORM, 0)));
    assertEquals("mlp_hidden (-5) must be positive", refused(() -> base.withMlp(MlpKind.SWIGLU, -5)));
    assertEquals("logit_softcap (-1.0) must be 0 (off) or positive", refused(() -> base.withLogitSoftcap(-1)));
    assertEquals("rope_theta (0.5) must be greater than 1",
        refused(() -> base.withPositionalEncoding(PositionalEncoding.ROPE).withRopeTheta(0.5)));
    assertEquals("head size n_embd / n_head (3) must be even for rope positional encoding",
        refused(() -> new GPTConfig(65, 64, 1, 3, 9, PositionalEncoding.ROPE, true, true, 0)));
  }

  @Test
  void defaultsAreGpt2sBlocks() {
    GPTConfig c = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0);
    assertEquals(NormKind.LAYERNORM, c.norm());
    assertEquals(1e-5, c.normEps());
    assertEquals(MlpKind.GELU, c.mlp());
    assertEquals(512, c.mlpHidden());
    assertEquals(4, c.nKvHead());
    assertEquals(false, c.qkNorm());
    assertEquals(0.0, c.logitSoftcap());
    assertEquals(10000.0, c.ropeTheta());
    assertEquals(true, c.hasGpt2Blocks());
    assertEquals(384, c.withMlp(MlpKind.SWIGLU, 0).mlpHidden());
    assertEquals(2, c.withKvHeads(2).queriesPerKvHead());
  }

  @Test
  void theModelReadsTheLastBlockSizeTokens() {
    GPTConfig block4 = new GPTConfig(65, 4, 1, 1, 8, PositionalEncoding.LEARNED, true, true, 0);
    int[] fits = {1, 2, 3, 4};
    assertSame(fits, block4.context(fits), "a prompt that fits is read whole");
    assertArrayEquals(new int[] {3, 4, 5, 6}, block4.context(new int[] {1, 2, 3, 4, 5, 6}));
  }

  @Test
  void headSizeIsWidthOverHeads() {
    assertEquals(32, new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.SINUSOIDAL, false, false, 0.2).headSize());
  }

  @Test
  void sinusoidsNeedAnEvenWidth() {
    ModelConfigException e =
        assertThrows(
            ModelConfigException.class,
            () -> new GPTConfig(65, 64, 1, 3, 9, PositionalEncoding.SINUSOIDAL, true, true, 0));
    assertEquals("n_embd (9) must be even for sinusoidal positional encoding", e.getMessage());
  }
}
