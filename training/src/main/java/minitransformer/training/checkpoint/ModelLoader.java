package minitransformer.training.checkpoint;

import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.training.memory.AvailableMemory;
import minitransformer.training.memory.MemoryEstimate;
import minitransformer.training.memory.MemoryException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one way from weights to a model, whatever they were read from (a checkpoint, an imported .npz):
 * refuse a model too large for the memory available before anything is built, build the graph, and load
 * every parameter, checked against the architecture.
 */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * The model of architecture holding parameters.
   *
   * @param source what the weights were read from, as the messages name it (e.g. a checkpoint's model.npz)
   * @param memory the memory available; {@link AvailableMemory#UNKNOWN} refuses nothing
   * @throws MemoryException the model is estimated to need more memory than is available; nothing was built
   * @throws CheckpointException a parameter is missing, extra or of the wrong shape; the message begins with
   *     source
   */
  public static GPT build(
      GPTConfig architecture, Map<String, INDArray> parameters, String source, AvailableMemory memory) {
    refuseTooLarge(architecture, source, memory);
    GPT gpt = GPT.create(architecture, 0); // every parameter is loaded next, so the seed does not matter
    try {
      gpt.loadParameters(parameters);
    } catch (ModelConfigException e) {
      throw new CheckpointException(source + ": " + e.getMessage(), e);
    }
    return gpt;
  }

  /**
   * The check {@link #build} starts with, for a reader that knows the architecture before it reads the
   * weights (an import of a Hugging Face folder reads config.json first) and so refuses before reading them.
   *
   * @throws MemoryException the model is estimated to need more memory than is available
   */
  public static void refuseTooLarge(GPTConfig architecture, String source, AvailableMemory memory) {
    MemoryEstimate.forCheckpointModel(architecture).refuseAbove(memory, source,
        "Its model (n_layer " + architecture.nLayer() + ", n_embd " + architecture.nEmbd() + ", vocabulary "
            + architecture.vocabSize() + ") is too large for this machine; free memory or use a smaller model.");
  }
}
