package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.memory.AvailableMemory;
import minitransformer.training.memory.MemoryException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Weights to a model: loaded exactly, refused with the source named, checked before anything is built. */
class ModelLoaderTest {
  private static final GPTConfig TINY = new GPTConfig(11, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0);

  private static Map<String, INDArray> weights() {
    Map<String, INDArray> copy = new LinkedHashMap<>();
    GPT.create(TINY, 7).parameters().forEach((name, p) -> copy.put(name, p.dup()));
    return copy;
  }

  @Test
  void theModelHoldsTheGivenWeights() {
    Map<String, INDArray> weights = weights();
    GPT gpt = ModelLoader.build(TINY, weights, "tiny.npz", () -> 64_000_000_000L);
    weights.forEach((name, w) -> assertEquals(w, gpt.parameters().get(name), name));
  }

  @Test
  void aWrongShapeIsACheckpointErrorNamingTheSource() {
    Map<String, INDArray> weights = weights();
    weights.put("wte", Nd4j.zeros(weights.get("wte").dataType(), 12, 16));
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> ModelLoader.build(TINY, weights, "tiny.npz", AvailableMemory.UNKNOWN));
    assertTrue(e.getMessage().startsWith("tiny.npz: parameter wte has shape [12, 16]"), e.getMessage());
  }

  @Test
  void tooLittleMemoryIsRefusedNamingTheSourceAndTheModel() {
    MemoryException e = assertThrows(MemoryException.class,
        () -> ModelLoader.build(TINY, weights(), "tiny.npz", () -> 1_000_000L));
    assertTrue(e.getMessage().startsWith("tiny.npz needs an estimated"), e.getMessage());
    assertTrue(e.getMessage().contains("Its model (n_layer 2, n_embd 16, vocabulary 11) is too large for this machine"),
        e.getMessage());
  }
}
