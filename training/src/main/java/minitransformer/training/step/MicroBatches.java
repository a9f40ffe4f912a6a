package minitransformer.training.step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.exec.LossAndGradients;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Gradient accumulation over micro-batches, as nanoGPT's {@code gradient_accumulation_steps}: a
 * training policy that bounds the memory of one step, so it lives here and not in the model. The
 * whole batch in one pass for every small model; slices only when a batch's activations would not
 * fit {@link #ACTIVATION_BUDGET_BYTES}.
 */
public final class MicroBatches {
  /**
   * How much memory the activations of one training step may take before {@link #size} splits the
   * batch: 4 GiB (so that with the ~1.3 GB the JVM, ND4J and the parameters take, the 10.8M-parameter
   * nanoGPT step stays near PyTorch's 5.7 GB).
   */
  public static final long ACTIVATION_BUDGET_BYTES = 4L << 30;

  private MicroBatches() {}

  /**
   * Estimated bytes that SameDiff M2.1 holds during one training step per sequence of length T.
   * Its gradient session releases almost nothing until the step ends (measured: 2,600 MB allocated,
   * 79 MB released, in a 2-layer, C 384, T 256, B 16 step), so every forward and backward
   * intermediate counts: per layer about 15 tensors of [nh, T, T] and 137 of [T, C] (attention
   * scores, softmax and dropout; the written-out LayerNorms and GELU; their gradients), plus about
   * 10 of [T, V] for the head and the loss. Calibrated on that measurement (~470 MB per sequence
   * for 6 layers, nh 6, C 384, T 256); an estimate, not a bound.
   */
  public static long trainingBytesPerSequence(GPTConfig config, int time) {
    long t = time;
    long perLayer = 15L * config.nHead() * t * t + 137L * t * config.nEmbd(); // floats
    long head = 10L * t * config.vocabSize(); // floats
    return 4L * (config.nLayer() * perLayer + head);
  }

  /**
   * The largest divisor of batchSize whose estimated training activations ({@link
   * #trainingBytesPerSequence}) fit budgetBytes; at least 1. batchSize itself whenever the whole
   * batch fits, which is the case for every small model.
   */
  public static int size(GPTConfig config, int batchSize, int time, long budgetBytes) {
    long perSequence = trainingBytesPerSequence(config, time);
    for (int m = batchSize; m > 1; m--) {
      if (batchSize % m == 0 && m * perSequence <= budgetBytes) {
        return m;
      }
    }
    return 1;
  }

  /**
   * {@link #size} for data parallelism over {@code workers} graphs ({@link Replicas}): slices of at
   * most ceil(batchSize / workers) sequences, so that every worker has one, and within budgetBytes
   * / workers each, since the workers' passes are alive at once. For B 12 and 2 workers: 6.
   */
  public static int size(GPTConfig config, int batchSize, int time, long budgetBytes, int workers) {
    int perWorker = (batchSize + workers - 1) / workers;
    return Math.min(perWorker, size(config, batchSize, time, budgetBytes / workers));
  }

  /** {@link #lossAndGradients(Replicas, INDArray, INDArray, long, int)} on the model alone. */
  public static LossAndGradients lossAndGradients(
      GPT model, INDArray ids, INDArray targets, long dropoutSeed, int microBatchSize) {
    return lossAndGradients(Replicas.single(model), ids, targets, dropoutSeed, microBatchSize);
  }

  /**
   * {@link GPT#lossAndGradients} computed over consecutive slices of at most microBatchSize
   * sequences (gradient accumulation), as many slices at once as there are replicas: the loss and
   * gradients are the means over the slices weighted by their sizes, which is the same mean over all
   * B·T tokens. They are summed in slice order whatever the number of replicas, so one graph and two
   * give the same bits for the same slices. Slicing bounds memory: SameDiff M2.1 keeps every
   * intermediate of a pass until the pass ends. Slice k > 0 draws its dropout masks from its own
   * seed, so only microBatchSize >= B reproduces the one-pass masks (and is one pass).
   */
  public static LossAndGradients lossAndGradients(
      Replicas replicas, INDArray ids, INDArray targets, long dropoutSeed, int microBatchSize) {
    if (microBatchSize < 1) {
      throw new IllegalArgumentException("microBatchSize (" + microBatchSize + ") must be at least 1");
    }
    long B = ids.size(0);
    if (microBatchSize >= B) {
      return replicas.model().lossAndGradients(ids, targets, dropoutSeed);
    }
    List<INDArray> idsSlices = new ArrayList<>();
    List<INDArray> targetsSlices = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    for (long start = 0; start < B; start += microBatchSize) {
      long end = Math.min(B, start + microBatchSize);
      idsSlices.add(ids.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup()); // (b, T)
      targetsSlices.add(
          targets.rank() == 2 && targets.size(0) == B
              ? targets.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup()
              : targets); // a wrong shape is reported by the model
      weights.add((double) (end - start) / B);
    }
    double loss = 0;
    Map<String, INDArray> sums = null;
    int slices = idsSlices.size();
    for (int first = 0; first < slices; first += replicas.count()) {
      int wave = first;
      // Each pass frees its own intermediates when it ends (GPT.lossAndGradients), so slices do not
      // pile up: before it did, they waited for the Java GC (killed above 12 GB with 8 slices of 8
      // sequences of the 10.8M-parameter model unless System.gc() ran after each slice).
      List<LossAndGradients> parts = replicas.map(
          Math.min(replicas.count(), slices - wave),
          (graph, i) -> graph.lossAndGradients(
              idsSlices.get(wave + i), targetsSlices.get(wave + i), dropoutSeed + (wave + i) * 0x9E3779B97F4A7C15L));
      for (int i = 0; i < parts.size(); i++) {
        LossAndGradients part = parts.get(i);
        double weight = weights.get(wave + i);
        loss += weight * part.loss();
        if (sums == null) {
          sums = new LinkedHashMap<>();
          for (Map.Entry<String, INDArray> e : part.gradients().entrySet()) {
            sums.put(e.getKey(), e.getValue().mul(weight));
          }
        } else {
          for (Map.Entry<String, INDArray> e : part.gradients().entrySet()) {
            sums.get(e.getKey()).addi(e.getValue().muli(weight));
          }
        }
        part.release(); // summed into sums
      }
    }
    return new LossAndGradients(loss, sums);
  }
}
