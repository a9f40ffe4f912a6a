package minitransformer.framework.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeadFocusTest {
  private static final int T = 5;

  /** Head 0: each token on itself; head 1: on the first token; head 2: on the token before; head 3: half-half. */
  private static AttentionMaps maps() {
    double[][][][] w = new double[1][4][T][T];
    for (int t = 0; t < T; t++) {
      w[0][0][t][t] = 1;
      w[0][1][t][0] = 1;
      w[0][2][t][Math.max(0, t - 1)] = 1;
      w[0][3][t][t] += 0.5;
      w[0][3][t][Math.max(0, t - 1)] += 0.5;
    }
    return new AttentionMaps(new int[T], w);
  }

  @Test
  void focusIsTheMeanLargestWeightAwayFromTheDiagonalAndTheFirstToken() {
    List<HeadFocus> all = HeadFocus.of(maps());
    assertEquals(0.0, all.get(0).focus(), 1e-12, "itself only");
    assertEquals(0.0, all.get(1).focus(), 1e-12, "the first token only");
    assertEquals(1.0, all.get(2).focus(), 1e-12, "the previous token, never the first from t = 2 on");
    assertEquals(0.5, all.get(3).focus(), 1e-12);
    assertEquals(3, all.get(2).lastQueryKey());
    assertEquals(1.0, all.get(2).lastQueryWeight(), 1e-12);
  }

  @Test
  void rankedLeadsWithTheMostFocusedHead() {
    List<Integer> order = HeadFocus.ranked(maps()).stream().map(HeadFocus::head).toList();
    assertEquals(List.of(2, 3, 0, 1), order);
  }
}
