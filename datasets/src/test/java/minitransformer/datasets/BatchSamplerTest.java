package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

  /** A stream whose token at position p is p, so a row's first x token is its offset. */
  private static int[] positions(int n) {
    int[] ids = new int[n];
    Arrays.setAll(ids, p -> p);
    return ids;
  }

  @Test
  void yIsXShiftedByOneWithinTheStream() {
    int B = 4;
    int T = 8;
    int[] tokens = new int[100];
    SplitMix64 data = new SplitMix64(7);
    Arrays.setAll(tokens, p -> data.nextInt(50)); // arbitrary ids: the relation must hold for any stream
    BatchSampler sampler = new BatchSampler(tokens, B, T, new SplitMix64(1));
    for (int step = 0; step < 20; step++) {
      Batch batch = sampler.next();
      assertEquals(B, batch.batchSize());
      assertEquals(T, batch.blockSize());
      assertEquals(B * T, batch.x().length);
      assertEquals(B * T, batch.y().length);
      for (int b = 0; b < B; b++) {
        int i = findOffset(tokens, batch.x(), b * T, T);
        assertTrue(i >= 0, "row " + b + " of x is a window of the stream");
        for (int t = 0; t < T; t++) {
          assertEquals(tokens[i + t + 1], batch.y()[b * T + t], "y[b, t] = ids[i + t + 1]");
        }
      }
    }
  }

  private static int findOffset(int[] tokens, int[] x, int from, int T) {
    for (int i = 0; i + T < tokens.length; i++) {
      if (Arrays.equals(tokens, i, i + T, x, from, from + T)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void offsetsCoverExactlyZeroToNMinusTMinusOne() {
    int n = 20;
    int T = 5;
    BatchSampler sampler = new BatchSampler(positions(n), 3, T, new SplitMix64(42));
    boolean[] seen = new boolean[n];
    for (int step = 0; step < 500; step++) {
      Batch batch = sampler.next();
      for (int b = 0; b < 3; b++) {
        int i = batch.x()[b * T];
        assertTrue(i >= 0 && i < n - T, "offset " + i + " in [0, n - T)");
        assertEquals(i + T, batch.y()[b * T + T - 1], "y's last token");
        seen[i] = true;
      }
    }
    for (int i = 0; i < n - T; i++) {
      assertTrue(seen[i], "offset " + i + " drawn in 1500 tries");
    }
  }

  @Test
  void restoringTheRandomStateReproducesTheBatches() {
    SplitMix64 random = new SplitMix64(123);
    BatchSampler sampler = new BatchSampler(positions(1000), 4, 16, random);
    sampler.next();
    long state = random.state();
    Batch first = sampler.next();
    Batch second = sampler.next();

    SplitMix64 resumed = new SplitMix64(0);
    resumed.setState(state);
    BatchSampler again = new BatchSampler(positions(1000), 4, 16, resumed);
    Batch first2 = again.next();
    Batch second2 = again.next();
    assertArrayEquals(first.x(), first2.x());
    assertArrayEquals(first.y(), first2.y());
    assertArrayEquals(second.x(), second2.x());
    assertFalse(Arrays.equals(first.x(), second.x()), "successive batches differ");

    random.setState(state);
    assertArrayEquals(first.x(), sampler.next().x(), "restoring the shared generator rewinds the sampler too");
  }

  @Test
  void aStreamShorterThanOneBlockPlusOneIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new BatchSampler(positions(8), 1, 8, new SplitMix64(0)));
    new BatchSampler(positions(9), 1, 8, new SplitMix64(0)).next(); // only offset 0
  }

  @Test
  void boundedDrawsAreInRangeAndRoughlyUniform() {
    SplitMix64 random = new SplitMix64(2024);
    int bound = 7;
    int draws = 70_000;
    int[] counts = new int[bound];
    for (int k = 0; k < draws; k++) {
      counts[random.nextInt(bound)]++;
    }
    for (int c : counts) {
      assertEquals(draws / bound, c, 5 * Math.sqrt(draws / (double) bound), "count within 5 sigma");
    }
    assertThrows(IllegalArgumentException.class, () -> random.nextInt(0));
    assertEquals(0, random.nextInt(1));
  }
}
