package minitransformer.framework.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The KV cache gives the full forward pass's logits at every position (float32, 1e-5). */
class KvCacheTest {
  static final double TOL = 1e-5;
  static final int V = 11;
  static final int T = 8;

  static GPT model(PositionalEncoding pe, boolean bias, boolean tied, long seed) {
    GPT gpt = GPT.create(new GPTConfig(V, T, 2, 2, 16, pe, bias, tied, 0.0), seed);
    randomise(gpt, seed + 100);
    return gpt;
  }

  /** Weights of std 0.3 (gammas around 1): outputs far from uniform, logits of order 1. */
  static void randomise(GPT gpt, long seed) {
    org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((name, w) -> {
      INDArray v = Nd4j.randn(rng, w.shape()).muli(0.3).castTo(w.dataType());
      if (name.endsWith("gamma")) {
        v.addi(1.0);
      }
      values.put(name, v);
    });
    gpt.loadParameters(values);
  }

  static int[] randomIds(int n, long seed) {
    Random r = new Random(seed);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextInt(V);
    }
    return ids;
  }

  /** Full-forward logits at every position of ids, [T][V]. */
  static double[][] fullLogits(GPT gpt, int[] ids) {
    INDArray logits = gpt.logits(GPT.idsArray(ids, 1, ids.length)); // (1, T, V)
    double[][] rows = new double[ids.length][];
    for (int t = 0; t < ids.length; t++) {
      rows[t] = logits.get(NDArrayIndex.point(0), NDArrayIndex.point(t), NDArrayIndex.all()).toDoubleVector();
    }
    return rows;
  }

  static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOL, what + " logit " + i);
    }
  }

  static Stream<Arguments> variants() {
    Map<String, Function<GPT, KvCache>> kinds = Map.of("java", JavaKvCache::new);
    Stream.Builder<Arguments> b = Stream.builder();
    for (var kind : kinds.entrySet()) {
      for (PositionalEncoding pe : PositionalEncoding.values()) {
        b.add(Arguments.of(kind.getKey(), kind.getValue(), pe, true, true));
        b.add(Arguments.of(kind.getKey(), kind.getValue(), pe, false, false));
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {2} bias={3} tied={4}")
  @MethodSource("variants")
  void everyPositionEqualsTheFullForward(
      String kind, Function<GPT, KvCache> make, PositionalEncoding pe, boolean bias, boolean tied) {
    GPT gpt = model(pe, bias, tied, 11);
    int[] ids = randomIds(T, 5);
    double[][] full = fullLogits(gpt, ids);
    KvCache cache = make.apply(gpt);
    assertClose(full[0], cache.prefill(new int[] {ids[0]}), "prefill of 1");
    for (int t = 1; t < T; t++) {
      assertClose(full[t], cache.append(ids[t]), "append at position " + t);
      assertEquals(t + 1, cache.length());
    }
    // A prefill of any length, then appends, agrees as well.
    for (int p = 1; p <= T; p++) {
      int[] head = java.util.Arrays.copyOf(ids, p);
      assertClose(full[p - 1], cache.prefill(head), "prefill of " + p);
      for (int t = p; t < T; t++) {
        assertClose(full[t], cache.append(ids[t]), "prefill " + p + ", append at " + t);
      }
    }
  }

  @ParameterizedTest(name = "{0} {2} bias={3} tied={4}")
  @MethodSource("variants")
  void slideAndRefillEqualsTheFullForwardOnTheLastBlock(
      String kind, Function<GPT, KvCache> make, PositionalEncoding pe, boolean bias, boolean tied) {
    GPT gpt = model(pe, bias, tied, 12);
    int[] ids = randomIds(T + 3, 6);
    KvCache cache = make.apply(gpt);
    cache.prefill(java.util.Arrays.copyOf(ids, T));
    if (!cache.slides()) { // rope and none slide instead (KvCacheOptionsTest)
      assertThrows(IllegalStateException.class, () -> cache.append(ids[T]), "a full cache refuses a token");
    }
    for (int end = T + 1; end <= ids.length; end++) { // the window ids[end-T, end)
      int[] window = java.util.Arrays.copyOfRange(ids, end - T, end);
      double[] expected = fullLogits(gpt, window)[T - 1];
      cache.prefill(java.util.Arrays.copyOf(window, T - 1)); // re-fill with the last block_size - 1 tokens
      assertClose(expected, cache.append(window[T - 1]), "window ending at " + end);
    }
  }

  @ParameterizedTest(name = "{0} {2} bias={3} tied={4}")
  @MethodSource("variants")
  void newWeightsAreSeenAfterRefresh(
      String kind, Function<GPT, KvCache> make, PositionalEncoding pe, boolean bias, boolean tied) {
    GPT gpt = model(pe, bias, tied, 13);
    KvCache cache = make.apply(gpt);
    int[] ids = randomIds(4, 7);
    cache.prefill(ids);
    randomise(gpt, 999); // in place, as training does
    ((JavaKvCache) cache).refresh(); // the cache holds a snapshot of the weights
    double[][] full = fullLogits(gpt, ids);
    cache.prefill(new int[] {ids[0], ids[1]});
    assertClose(full[2], cache.append(ids[2]), "after new weights");
  }
}
