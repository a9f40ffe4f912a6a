package minitransformer.framework.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SamplerTest {
  private static GPT gpt;
  private static Sampler sampler;
  private static final int[] PROMPT = {1, 2, 3};

  @BeforeAll
  static void model() {
    gpt = GPT.create(new GPTConfig(11, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0), 7);
    // Larger weights than at initialisation, so the next-token distribution is far from uniform.
    org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(3);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((n, w) -> values.put(n, Nd4j.randn(rng, w.shape()).muli(0.5).castTo(w.dataType())));
    gpt.loadParameters(values);
    sampler = new Sampler(gpt);
  }

  @Test
  void sameSeedSameTokensDifferentSeedOtherTokens() {
    int[] a = sampler.generate(PROMPT, 20, new SamplingOptions(1.0, 0, 1.0, 5), id -> {});
    int[] b = sampler.generate(PROMPT, 20, new SamplingOptions(1.0, 0, 1.0, 5), id -> {});
    int[] c = sampler.generate(PROMPT, 20, new SamplingOptions(1.0, 0, 1.0, 6), id -> {});
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
  }

  @Test
  void temperatureZeroIsGreedyAndSeedIndependentAndTopKOneIsGreedy() {
    int[] greedy = sampler.generate(PROMPT, 12, new SamplingOptions(0.0, 0, 1.0, 1), id -> {});
    assertArrayEquals(greedy, sampler.generate(PROMPT, 12, new SamplingOptions(0.0, 0, 1.0, 99), id -> {}));
    assertArrayEquals(greedy, sampler.generate(PROMPT, 12, new SamplingOptions(1.5, 1, 1.0, 17), id -> {}));
    assertEquals(greedy[0], sampler.predictNext(PROMPT, 1).get(0).id());
  }

  @Test
  void streamsEachTokenAndKeepsOnlyTheLastBlockOfContext() {
    List<Integer> streamed = new ArrayList<>();
    int[] longPrompt = new int[20]; // longer than block_size 8
    Arrays.fill(longPrompt, 4);
    int[] out = sampler.generate(longPrompt, 10, new SamplingOptions(0.8, 5, 0.9, 3), streamed::add);
    assertEquals(10, out.length);
    assertArrayEquals(out, streamed.stream().mapToInt(Integer::intValue).toArray());
    // The next token after a long context depends only on its last 8 tokens.
    int[] tail = Arrays.copyOfRange(longPrompt, 12, 20);
    assertEquals(sampler.predictNext(longPrompt, 3), sampler.predictNext(tail, 3));
  }

  @Test
  void predictNextIsAProbabilityDistributionBestFirst() {
    List<Prediction> all = sampler.predictNext(PROMPT, 11);
    double sum = 0;
    for (int i = 0; i < all.size(); i++) {
      Prediction p = all.get(i);
      sum += p.probability();
      assertEquals(Math.log(p.probability()), p.logProbability(), 1e-9);
      if (i > 0) {
        assertTrue(all.get(i - 1).probability() >= p.probability());
      }
    }
    assertEquals(1.0, sum, 1e-6);
    INDArray logits = gpt.logits(GPT.idsArray(PROMPT, 1, 3));
    double z0 = logits.getDouble(0, 2, all.get(0).id());
    double z1 = logits.getDouble(0, 2, all.get(1).id());
    assertEquals(z0 - z1, all.get(0).logProbability() - all.get(1).logProbability(), 1e-5);
  }

  @Test
  void topPKeepsTheSmallestSetReachingP() {
    double[] logits = {Math.log(0.2), Math.log(0.5), Math.log(0.3)};
    assertArrayEquals(new double[] {0, 1, 0}, Sampler.filteredProbabilities(logits, 0, 0.5), 1e-12);
    assertArrayEquals(new double[] {0, 0.625, 0.375}, Sampler.filteredProbabilities(logits, 0, 0.79), 1e-12);
    assertArrayEquals(new double[] {0.2, 0.5, 0.3}, Sampler.filteredProbabilities(logits, 0, 0.81), 1e-12);
    assertArrayEquals(new double[] {0.2, 0.5, 0.3}, Sampler.filteredProbabilities(logits, 0, 1.0), 1e-12);
    // top-k first, then top-p within what is left
    assertArrayEquals(new double[] {0, 0.625, 0.375}, Sampler.filteredProbabilities(logits, 2, 1.0), 1e-12);
    assertArrayEquals(new double[] {0, 1, 0}, Sampler.filteredProbabilities(logits, 2, 0.6), 1e-12);
    // ties: the lower id wins, always
    double[] tied = {1.0, 1.0, 1.0};
    assertArrayEquals(new double[] {1, 0, 0}, Sampler.filteredProbabilities(tied, 0, 0.3), 1e-12);
    assertArrayEquals(new double[] {0.5, 0.5, 0}, Sampler.filteredProbabilities(tied, 2, 1.0), 1e-12);
  }

  @Test
  void samplesFollowTheFilteredDistribution() {
    double[] logits = {Math.log(0.2), Math.log(0.5), Math.log(0.3)};
    Random random = new Random(1);
    int[] counts = new int[3];
    for (int i = 0; i < 20000; i++) {
      counts[Sampler.choose(logits, new SamplingOptions(1.0, 0, 0.79, 0), random)]++;
    }
    assertEquals(0, counts[0]);
    assertEquals(0.625, counts[1] / 20000.0, 0.02);
  }

  @Test
  void drawProbabilitiesAreWhatSamplingDrawsFrom() {
    double[] logits = sampler.nextLogits(PROMPT);
    List<Prediction> best = Sampler.top(logits, 11);
    double[] plain = Sampler.drawProbabilities(logits, new SamplingOptions(1.0, 0, 1.0, 0));
    for (Prediction p : best) {
      assertEquals(p.probability(), plain[p.id()], 1e-12, "temperature 1, no filter: the model's softmax");
    }
    double[] greedy = Sampler.drawProbabilities(logits, new SamplingOptions(0.0, 0, 1.0, 0));
    assertEquals(1.0, greedy[best.get(0).id()], 0.0);
    assertEquals(1.0, Arrays.stream(greedy).sum(), 0.0);
    double[] hot = Sampler.drawProbabilities(logits, new SamplingOptions(3.0, 0, 1.0, 0));
    assertTrue(hot[best.get(0).id()] < plain[best.get(0).id()], "a higher temperature flattens the top token");
    double[] topTwo = Sampler.drawProbabilities(logits, new SamplingOptions(1.0, 2, 1.0, 0));
    assertEquals(1.0, topTwo[best.get(0).id()] + topTwo[best.get(1).id()], 1e-12);
    // 20000 draws with choose() follow drawProbabilities at temperature 2, top-k 4.
    SamplingOptions options = new SamplingOptions(2.0, 4, 1.0, 0);
    double[] expected = Sampler.drawProbabilities(logits, options);
    int[] counts = new int[logits.length];
    Random random = new Random(9);
    for (int i = 0; i < 20000; i++) {
      counts[Sampler.choose(logits, options, random)]++;
    }
    for (int id = 0; id < logits.length; id++) {
      assertEquals(expected[id], counts[id] / 20000.0, 0.015, "token " + id);
    }
  }

  @Test
  void badOptionsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(-1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(1, -1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(1, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> sampler.generate(new int[0], 1, SamplingOptions.greedy(), id -> {}));
  }
}
