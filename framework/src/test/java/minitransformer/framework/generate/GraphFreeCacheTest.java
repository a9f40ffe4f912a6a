package minitransformer.framework.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A cache that takes a model's weights without its graph (what {@code sample} uses) gives exactly the
 * logits of the cache read from the graph, tied or untied head, and closes every array it was given.
 */
class GraphFreeCacheTest {
  @Test
  void givesTheGraphCachesLogitsAndClosesTheArraysItTook() {
    for (boolean tied : new boolean[] {true, false}) {
      GPTConfig config = new GPTConfig(13, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, tied, 0.0);
      GPT gpt = GPT.create(config, 7);
      Map<String, INDArray> copies = new LinkedHashMap<>();
      gpt.parameters().forEach((name, a) -> copies.put(name, a.dup()));
      JavaKvCache fromGraph = new JavaKvCache(gpt);
      JavaKvCache taken = new JavaKvCache(config, copies);
      int[] ids = {3, 1, 4, 1, 5};
      assertArrayEquals(fromGraph.prefill(ids), taken.prefill(ids), "tied " + tied);
      assertArrayEquals(fromGraph.append(9), taken.append(9), "tied " + tied);
      assertTrue(copies.values().stream().allMatch(INDArray::wasClosed), "every array taken is closed");
      assertThrows(IllegalStateException.class, taken::refresh);
    }
  }

  @Test
  void refusesASinusoidalTableWhichOnlyTheGraphHolds() {
    GPTConfig config = new GPTConfig(13, 8, 1, 2, 16, PositionalEncoding.SINUSOIDAL, true, true, 0.0);
    assertThrows(IllegalArgumentException.class, () -> new JavaKvCache(config, GPT.create(config, 1).parameters()));
  }
}
