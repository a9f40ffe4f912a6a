package minitransformer.framework.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class HeadSelectionTest {
  @Test
  void nullMeansEveryLayerOrHead() {
    HeadSelection all = new HeadSelection(null, null);
    assertArrayEquals(new int[] {0, 1, 2}, all.layers(3));
    assertArrayEquals(new int[] {0, 1}, all.heads(2));
  }

  @Test
  void oneLayerAndOneHead() {
    HeadSelection one = new HeadSelection(1, 0);
    assertArrayEquals(new int[] {1}, one.layers(3));
    assertArrayEquals(new int[] {0}, one.heads(2));
    assertArrayEquals(new int[] {}, new HeadSelection(5, null).layers(3), "a layer the model lacks selects nothing");
  }
}
