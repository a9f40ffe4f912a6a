package minitransformer.training.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.generate.JavaKvCache;
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
   * As {@link #build}, for a model that is only run (sample, predict, serve): refused against
   * estimate ({@link MemoryEstimate#forInference}), and the arrays read are closed once copied into the graph, so
   * their native memory is returned now rather than whenever the garbage collector finds them.
   */
  public static GPT buildForInference(
      GPTConfig architecture, Map<String, INDArray> parameters, String source, AvailableMemory memory,
      MemoryEstimate estimate) {
    estimate.refuseAbove(memory, source, tooLarge(architecture));
    GPT gpt = GPT.create(architecture, 0);
    try {
      gpt.loadParameters(parameters);
    } catch (ModelConfigException e) {
      throw new CheckpointException(source + ": " + e.getMessage(), e);
    } finally {
      parameters.values().forEach(a -> {
        if (!a.wasClosed()) a.close();
      });
    }
    return gpt;
  }

  /**
   * The KV cache of the model whose weights modelNpz holds, for sampling without a graph: refused against
   * {@link MemoryEstimate#forInference} (with the cache), then each array is read, copied into the cache
   * and closed in turn, so the weights are held once, and never in native memory more than one at a time.
   *
   * @throws CheckpointException the parameters do not add up to the architecture's count, or wte's shape
   *     is not [vocab_size, n_embd]
   */
  public static JavaKvCache cacheForSampling(GPTConfig architecture, Path modelNpz, AvailableMemory memory) {
    String source = modelNpz.toString();
    MemoryEstimate.forInference(architecture, true).refuseAbove(memory, source, tooLarge(architecture));
    try (Npz.Reader npz = new Npz.Reader(modelNpz)) {
      Map<String, long[]> shapes = npz.shapes();
      long count = shapes.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, Math::multiplyExact)).sum();
      long expected = ParameterCount.of(architecture).total();
      long[] wte = shapes.get(Names.WTE);
      if (count != expected || !Arrays.equals(wte, new long[] {architecture.vocabSize(), architecture.nEmbd()})) {
        throw new CheckpointException(source + ": holds " + count + " parameters (wte " + (wte == null ? "missing"
            : Arrays.toString(wte)) + "), its architecture has " + expected);
      }
      return new JavaKvCache(architecture, npz.arrays());
    }
  }

  private static String tooLarge(GPTConfig architecture) {
    return "Its model (n_layer " + architecture.nLayer() + ", n_embd " + architecture.nEmbd() + ", vocabulary "
        + architecture.vocabSize() + ") is too large for this machine; free memory or use a smaller model.";
  }

  /**
   * The check {@link #build} starts with, for a reader that knows the architecture before it reads the
   * weights (an import of a Hugging Face folder reads config.json first) and so refuses before reading them.
   *
   * @throws MemoryException the model is estimated to need more memory than is available
   */
  public static void refuseTooLarge(GPTConfig architecture, String source, AvailableMemory memory) {
    MemoryEstimate.forCheckpointModel(architecture).refuseAbove(memory, source, tooLarge(architecture));
  }
}
