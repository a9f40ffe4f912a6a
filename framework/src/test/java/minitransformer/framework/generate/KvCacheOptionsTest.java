package minitransformer.framework.generate;

import static minitransformer.framework.generate.KvCacheTest.T;
import static minitransformer.framework.generate.KvCacheTest.V;
import static minitransformer.framework.generate.KvCacheTest.assertClose;
import static minitransformer.framework.generate.KvCacheTest.fullLogits;
import static minitransformer.framework.generate.KvCacheTest.randomIds;
import static minitransformer.framework.generate.KvCacheTest.randomise;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KV cache with every block option equals the full forward pass (float32, 1e-5); with rope or no
 * positions it slides past block_size without re-filling: exactly the full forward pass on the last
 * block_size tokens for one layer, exactly sliding-window attention over the whole text for more.
 */
class KvCacheOptionsTest {
  /** C 16, 4 heads of size 4, block 8, vocab 11, 2 layers. */
  static GPTConfig base(PositionalEncoding pe, boolean bias) {
    return new GPTConfig(V, T, 2, 4, 16, pe, bias, false, 0.0);
  }

  static GPTConfig llama(PositionalEncoding pe) {
    return base(pe, false).withNorm(NormKind.RMSNORM, 1e-6).withMlp(MlpKind.SWIGLU, 0).withKvHeads(2)
        .withQkNorm(true).withLogitSoftcap(2.5);
  }

  static Stream<Arguments> options() {
    GPTConfig learned = base(PositionalEncoding.LEARNED, true);
    return Stream.of(
        Arguments.of("rope", base(PositionalEncoding.ROPE, true).withRopeTheta(500)),
        Arguments.of("none", base(PositionalEncoding.NONE, true)),
        Arguments.of("rmsnorm", learned.withNorm(NormKind.RMSNORM, 1e-6)),
        Arguments.of("layernorm eps 1e-2", learned.withNorm(NormKind.LAYERNORM, 1e-2)),
        Arguments.of("swiglu", learned.withMlp(MlpKind.SWIGLU, 0)),
        Arguments.of("swiglu hidden 24", learned.withMlp(MlpKind.SWIGLU, 24)),
        Arguments.of("relu2", learned.withMlp(MlpKind.RELU2, 0)),
        Arguments.of("gqa 2", learned.withKvHeads(2)),
        Arguments.of("mqa", learned.withKvHeads(1)),
        Arguments.of("qk_norm", learned.withQkNorm(true)),
        Arguments.of("softcap", learned.withLogitSoftcap(1.5)),
        Arguments.of("all, rope", llama(PositionalEncoding.ROPE)),
        Arguments.of("all, sinusoidal", llama(PositionalEncoding.SINUSOIDAL)));
  }

  static GPT model(GPTConfig config, long seed) {
    GPT gpt = GPT.create(config, seed);
    randomise(gpt, seed + 100);
    return gpt;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("options")
  void everyPositionEqualsTheFullForward(String name, GPTConfig config) {
    GPT gpt = model(config, 21);
    int[] ids = randomIds(T, 5);
    double[][] full = fullLogits(gpt, ids);
    KvCache cache = new JavaKvCache(gpt);
    for (int p = 1; p <= T; p++) {
      assertClose(full[p - 1], cache.prefill(Arrays.copyOf(ids, p)), "prefill of " + p);
      for (int t = p; t < T; t++) {
        assertClose(full[t], cache.append(ids[t]), "prefill " + p + ", append at " + t);
      }
    }
  }

  static Stream<Arguments> sliding() {
    return Stream.of(
        Arguments.of("rope", base(PositionalEncoding.ROPE, true)),
        Arguments.of("none", base(PositionalEncoding.NONE, false).withKvHeads(1)),
        Arguments.of("all, rope", llama(PositionalEncoding.ROPE)),
        Arguments.of("rope, theta 50, gqa, relu2", base(PositionalEncoding.ROPE, false).withRopeTheta(50)
            .withKvHeads(2).withMlp(MlpKind.RELU2, 0)));
  }

  /**
   * One layer: a key is a function of its token and (rope) its position only, and a score of the
   * distance only, so a cache that slides by appends gives exactly the full forward pass on the last
   * block_size tokens, at every step.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sliding")
  void oneLayerSlidesExactlyAsTheFullForwardOnTheWindow(String name, GPTConfig config) {
    GPTConfig oneLayer = new GPTConfig(V, T, 1, config.nHead(), config.nEmbd(), config.positionalEncoding(),
        config.bias(), config.tieEmbeddings(), 0.0, config.norm(), config.normEps(), config.mlp(),
        config.mlpHidden(), config.nKvHead(), config.qkNorm(), config.logitSoftcap(), config.ropeTheta());
    GPT gpt = model(oneLayer, 22);
    int[] ids = randomIds(3 * T + 2, 6);
    KvCache cache = new JavaKvCache(gpt);
    assertTrue(cache.slides());
    cache.prefill(Arrays.copyOf(ids, 3)); // a short prompt, then appends all the way
    for (int end = 4; end <= ids.length; end++) { // the window ids[max(0, end-T), end)
      int[] window = Arrays.copyOfRange(ids, Math.max(0, end - T), end);
      double[] expected = fullLogits(gpt, window)[window.length - 1];
      assertClose(expected, cache.append(ids[end - 1]), "window ending at " + end);
      assertEquals(Math.min(end, T), cache.length());
    }
  }

  /**
   * Several layers: the cached keys of layer 1 and above were computed while the dropped tokens were
   * still in the window, so sliding is not the full forward pass on the last block_size tokens; it is
   * exactly sliding-window attention over the whole text (Mistral's rolling buffer): each position
   * attends to the last block_size positions at every layer. Checked against the graph itself, built
   * for the whole length with the causal mask replaced by that band.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sliding")
  void slidingEqualsSlidingWindowAttentionOverTheWholeText(String name, GPTConfig config) {
    GPT gpt = model(config, 22);
    int n = 3 * T + 2;
    int[] ids = randomIds(n, 6);
    GPTConfig whole = new GPTConfig(V, n, config.nLayer(), config.nHead(), config.nEmbd(),
        config.positionalEncoding(), config.bias(), config.tieEmbeddings(), 0.0, config.norm(), config.normEps(),
        config.mlp(), config.mlpHidden(), config.nKvHead(), config.qkNorm(), config.logitSoftcap(),
        config.ropeTheta());
    GPT band = GPT.create(whole, 1);
    band.loadParameters(gpt.parameters()); // rope and none have no table: the same arrays fit any length
    double[][] mask = new double[n][n];
    for (int t = 0; t < n; t++) {
      for (int s = 0; s < n; s++) {
        mask[t][s] = s <= t && s > t - T ? 0.0 : minitransformer.framework.blocks.Sequence.MASKED;
      }
    }
    band.sameDiff().getArrForVarName(minitransformer.framework.Names.CAUSAL_MASK)
        .assign(org.nd4j.linalg.factory.Nd4j.createFromArray(mask));
    double[][] expected = fullLogits(band, ids);
    KvCache cache = new JavaKvCache(gpt);
    assertClose(expected[2], cache.prefill(Arrays.copyOf(ids, 3)), "prefill");
    double largestDeparture = 0; // from the full forward pass on the last T tokens, past the block
    for (int t = 3; t < n; t++) {
      double[] logits = cache.append(ids[t]);
      assertClose(expected[t], logits, "position " + t);
      int[] window = Arrays.copyOfRange(ids, Math.max(0, t + 1 - T), t + 1);
      double[] truncated = fullLogits(gpt, window)[window.length - 1];
      for (int c = 0; c < V; c++) {
        largestDeparture = Math.max(largestDeparture, Math.abs(truncated[c] - logits[c]));
      }
    }
    assertTrue(largestDeparture > 1e-3, "deeper layers remember dropped tokens: " + largestDeparture);
  }

  /** With rope the cached sampler never re-fills; for one layer it gives the uncached sampler's tokens. */
  @Test
  void ropeSamplingPastTheBlockEqualsTheUncachedSamplerForOneLayer() {
    GPTConfig c = llama(PositionalEncoding.ROPE);
    GPTConfig oneLayer = new GPTConfig(V, T, 1, c.nHead(), c.nEmbd(), c.positionalEncoding(), c.bias(),
        c.tieEmbeddings(), 0.0, c.norm(), c.normEps(), c.mlp(), c.mlpHidden(), c.nKvHead(), c.qkNorm(),
        c.logitSoftcap(), c.ropeTheta());
    GPT gpt = model(oneLayer, 24);
    int[] prompt = randomIds(5, 8);
    int n = 3 * T;
    SamplingOptions options = new SamplingOptions(1.0, 0, 1.0, 42);
    int[] uncached = new Sampler(gpt).generate(prompt, n, options, id -> {});
    int[] cached = new CachedSampler(gpt, new JavaKvCache(gpt), 1).generate(prompt, n, options, id -> {});
    assertArrayEquals(uncached, cached);
  }

  @Test
  void aTableOfPositionsDoesNotSlide() {
    for (PositionalEncoding pe : new PositionalEncoding[] {PositionalEncoding.LEARNED, PositionalEncoding.SINUSOIDAL}) {
      KvCache cache = new JavaKvCache(model(llama(pe), 23));
      assertFalse(cache.slides(), pe.key());
      cache.prefill(randomIds(T, 7));
      assertThrows(IllegalStateException.class, () -> cache.append(1), pe.key());
    }
  }

  /** With rope the cached sampler never re-fills and gives the uncached sampler's tokens past the block. */
  /** Grouped-query attention caches n_kv_head heads: nh / n_kv_head times fewer floats. */
  @Test
  void groupedQueryCachesOnlyTheKeyValueHeads() {
    GPTConfig mha = base(PositionalEncoding.ROPE, false);
    long full = new JavaKvCache(model(mha, 25)).cachedFloats();
    assertEquals(2L * 2 * T * 16, full); // 2 (k, v) · L · block · C
    assertEquals(full / 2, new JavaKvCache(model(mha.withKvHeads(2), 25)).cachedFloats());
    assertEquals(full / 4, new JavaKvCache(model(mha.withKvHeads(1), 25)).cachedFloats());
  }
}
