package minitransformer.framework.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;

/**
 * The LayerNorm ε is a model setting (norm_eps; GPT-2's {@code layer_norm_epsilon}): the graph and the KV cache
 * both use it, and a model without it has PyTorch's 1e-5.
 */
class LayerNormEpsTest {
  private static GPTConfig config(double eps) {
    return new GPTConfig(KvCacheTest.V, KvCacheTest.T, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0)
        .withNorm(NormKind.LAYERNORM, eps);
  }

  @Test
  void theDefaultIsOneInAHundredThousand() {
    GPTConfig old = new GPTConfig(11, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0);
    assertEquals(1e-5, old.normEps());
    assertEquals(config(1e-5), old);
  }

  @Test
  void graphAndCacheUseTheModelsEps() {
    int[] ids = KvCacheTest.randomIds(KvCacheTest.T, 3);
    GPT usual = GPT.create(config(1e-5), 1);
    KvCacheTest.randomise(usual, 9);
    GPT wide = GPT.create(config(0.5), 1);
    wide.loadParameters(usual.parameters());
    double[][] usualLogits = KvCacheTest.fullLogits(usual, ids);
    double[][] wideLogits = KvCacheTest.fullLogits(wide, ids);
    double largest = 0;
    for (int t = 0; t < ids.length; t++) {
      for (int v = 0; v < usualLogits[t].length; v++) {
        largest = Math.max(largest, Math.abs(usualLogits[t][v] - wideLogits[t][v]));
      }
    }
    assertTrue(largest > 1e-2, "an ε of 0.5 changes the logits (largest change " + largest + ")");
    KvCache cache = new JavaKvCache(wide);
    KvCacheTest.assertClose(wideLogits[0], cache.prefill(new int[] {ids[0]}), "prefill");
    for (int t = 1; t < ids.length; t++) {
      KvCacheTest.assertClose(wideLogits[t], cache.append(ids[t]), "append at " + t);
    }
  }

  @Test
  void aNonPositiveEpsIsRefusedNamingTheKey() {
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> config(0.0));
    assertEquals("norm_eps (0.0) must be in (0, 1)", e.getMessage());
  }
}
