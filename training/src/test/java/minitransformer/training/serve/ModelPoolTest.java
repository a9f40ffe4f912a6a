package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * themselves and gives the same logits, and no graph keeps a SameDiff session after a call.
 */
class ModelPoolTest {
  @Test
  void workersShareOneSetOfWeightsAndKeepNoSession() throws Exception {
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
      assertTrue(first.sameDiff().getSessions().isEmpty(), "graph 0 keeps no session");
      assertTrue(second.sameDiff().getSessions().isEmpty(), "graph 1 keeps no session");
    }
  }
}
