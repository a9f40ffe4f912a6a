package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import minitransformer.framework.GPT;
import minitransformer.training.TrainedModel;
import minitransformer.training.cli.TinyTrainedModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The server's graphs: a second worker is a replica that holds the loaded model's weight arrays
 * themselves and gives the same logits, and each graph's SameDiff session is released every
 * {@link ModelPool#RELEASE_EVERY} calls of that graph.
 */
class ModelPoolTest {
  @Test
  void workersShareOneSetOfWeightsAndReleaseTheirSessions() throws Exception {
    TrainedModel loaded = TinyTrainedModel.loaded();
    INDArray ids = GPT.idsArray(new int[] {1, 2, 3, 4, 5}, 1, 5);
    try (ModelPool pool = new ModelPool(loaded, 2)) {
      // The idle graphs are taken in turn: two calls in a row reach both.
      GPT first = pool.with(TrainedModel::gpt);
      GPT second = pool.with(TrainedModel::gpt);
      assertNotSame(first, second);
      for (String name : first.parameterNames()) {
        assertSame(first.parameters().get(name), second.parameters().get(name), name);
      }
      INDArray a = pool.with(m -> m.gpt().logits(ids));
      INDArray b = pool.with(m -> m.gpt().logits(ids));
      assertEquals(a, b);
      assertFalse(first.sameDiff().getSessions().isEmpty(), "a graph keeps its session between calls");
      for (int call = 4; call < 2 * ModelPool.RELEASE_EVERY; call++) {
        pool.with(m -> m.gpt().logits(ids));
      }
      assertTrue(first.sameDiff().getSessions().isEmpty(), "graph 0 released at its RELEASE_EVERY-th call");
      assertTrue(second.sameDiff().getSessions().isEmpty(), "graph 1 released at its RELEASE_EVERY-th call");
      assertEquals(a, pool.with(m -> m.gpt().logits(ids)), "a fresh session gives the same logits");
    }
  }
}
