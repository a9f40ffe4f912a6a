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
   * batch: 2 GiB. The 10.8M-parameter nanoGPT step then runs in slices of 4 sequences with two workers
   * (8 with one) and peaks at 2.2 GB; 4 GiB allowed slices of 8 (16) that were no faster (step and CPU time
   * within 2%, three interleaved pairs) and peaked at 3.7 GB (framework/docs/performance.md section 14).
   */
  public static final long ACTIVATION_BUDGET_BYTES = 2L << 30;

  private MicroBatches() {}

  /**
   * Estimated bytes one training pass holds per sequence of length T, an upper bound of what was
   * measured. A pass frees each op's output once its last reader has run (the replayed plan pools
   * it for a later output, framework's ReplayedPass; a pass in SameDiff's session closes it,
   * StepArrays), so it holds at its peak, the start of the backward pass, about the forward
   * activations the gradients still need: per layer about 3.3 arrays of [nh, T, T] and 48 of [T, C]
   * (the attention scores and softmax; q, k, v, the LayerNorms, the MLP's [T, 4C] GELU pieces), plus
   * 6 of [T, V] for the head and the loss. Counted here: 4 and 50 per layer, 7 for the head.
   * Dropout adds 3 of [nh, T, T] and 10 of [T, C] per layer (its products in the pass, and the masks,
   * which exist twice: drawn for the pass and copied into the plan), biases 12 of [T, C].
   * Calibrated on the arrays the replayed pass held for the char, word and big bench workloads
   * and for T 256 at C 128 (7.3, 24.8, 155.5 and 39.4 MB a sequence); see
   * framework/docs/performance.md, "The activation estimate against measured peaks".
   */
  public static long trainingBytesPerSequence(GPTConfig config, int time) {
    long t = time;
    boolean dropout = config.dropout() > 0;
    long scores = dropout ? 7 : 4; // arrays of [nh, T, T] per layer
    long tokens = 50 + (dropout ? 10 : 0) + (config.bias() ? 12 : 0); // arrays of [T, C] per layer
    long perLayer = scores * config.nHead() * t * t + tokens * t * config.nEmbd(); // floats
    long head = 7L * t * config.vocabSize(); // floats
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
   * give the same bits for the same slices. Slicing bounds memory: a pass holds its forward
   * activations until the backward pass has read them, so what it holds at its peak grows with the
   * sequences it runs ({@link #trainingBytesPerSequence}). Slice k > 0 draws its dropout masks from
   * its own seed, so only microBatchSize >= B reproduces the one-pass masks (and is one pass).
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
      // A pass's intermediates do not outlive it: a replayed pass hands the same pooled arrays to
      // the next slice, and a pass in SameDiff's session closes each output after its last reader,
      // so slices do not pile up (when they waited for the Java GC instead, 8 slices of 8 sequences
      // of the 10.8M-parameter model were killed above 12 GB unless System.gc() ran after each).
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
