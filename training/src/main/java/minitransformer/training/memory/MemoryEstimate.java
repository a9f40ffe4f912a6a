package minitransformer.training.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ParameterCount;
import minitransformer.training.config.Key;
import minitransformer.training.config.Schema;
import minitransformer.training.step.MicroBatches;

/**
 * The memory a command will take, estimated from the architecture before anything is built, so that a
 * config too large for the machine is refused with one line instead of being killed by the kernel's
 * out-of-memory killer. Every array is float32 (4 bytes). It counts the large arrays and the
 * runtime's fixed share; calibrated to stay above the peak RSS measured for the bench workloads
 * (within 1.5 times it), it is not a bound for every config: the Java heap's garbage between two
 * collections moves with the machine's load.
 *
 * @param parts what takes memory, in bytes, in the order a message names them
 * @param shrinkingKeys the config keys that shrink the estimate, the most effective first
 */
public record MemoryEstimate(Map<String, Long> parts, List<String> shrinkingKeys) {
  /**
   * The JVM, ND4J's native libraries (OpenBLAS, libnd4j) and the corpus before any model: a predict on
   * the 2-layer default model peaked at about 0.4 GB of RSS, nearly all of it this fixed share.
   */
  public static final long RUNTIME_BYTES = 400_000_000L;

  private static final int FLOAT = 4;
  private static final String ACTIVATIONS = "activations";

  public MemoryEstimate {
    parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    shrinkingKeys = List.copyOf(shrinkingKeys);
  }

  /** {@link #forTraining(GPTConfig, int, int)} with one worker. */
  public static MemoryEstimate forTraining(GPTConfig config, int batchSize) {
    return forTraining(config, batchSize, 1);
  }

  /**
   * One training step at batchSize sequences of block_size tokens: the weights; their gradients,
   * twice per pass alive at once (the pass's own outputs and the copy it hands back) with the
   * embedding table's twice more (the lookup's and the head's gradients, before they are summed),
   * and once more for the sum when the batch is split into slices; AdamW's two moments; and the
   * activations a pass holds at its peak
   * ({@link MicroBatches#trainingBytesPerSequence}) for the slices the workers run at once ({@link
   * MicroBatches#size(GPTConfig, int, int, long, int)}).
   */
  public static MemoryEstimate forTraining(GPTConfig config, int batchSize, int workers) {
    long weights = FLOAT * ParameterCount.of(config).total();
    int T = config.blockSize();
    int microBatch = MicroBatches.size(config, batchSize, T, MicroBatches.ACTIVATION_BUDGET_BYTES, workers);
    int slices = (batchSize + microBatch - 1) / microBatch;
    int atOnce = Math.min(workers, slices);
    long activations = saturatingMultiply(
        (long) atOnce * microBatch, MicroBatches.trainingBytesPerSequence(config, T));
    Map<String, Long> parts = new LinkedHashMap<>();
    parts.put("weights", weights);
    long embedding = (long) FLOAT * config.vocabSize() * config.nEmbd();
    parts.put("gradients", atOnce * (2 * weights + 2 * embedding) + (slices > 1 ? weights : 0));
    parts.put("AdamW moments", 2 * weights);
    parts.put(
        String.format(Locale.ROOT, ACTIVATIONS + " of %d sequences of %d tokens", atOnce * microBatch, T), activations);
    parts.put("runtime", RUNTIME_BYTES);
    List<String> keys = new ArrayList<>();
    if (activations > 4 * weights) {
      keys.addAll(paths(Schema.BATCH_SIZE, Schema.BLOCK_SIZE, Schema.N_LAYER, Schema.N_EMBD));
    } else {
      keys.addAll(paths(Schema.N_EMBD, Schema.N_LAYER));
      addVocabularyKey(config, keys);
      keys.addAll(paths(Schema.BATCH_SIZE, Schema.BLOCK_SIZE));
    }
    return new MemoryEstimate(parts, keys);
  }

  /**
   * A trained model read from a checkpoint and run on one sequence: the weights and AdamW moments as
   * read from the checkpoint, the weights again in the graph (and in the KV cache's rows), and the
   * activations of one forward pass at block_size tokens (half a training step's per-sequence
   * estimate: a forward pass keeps nothing for a backward pass).
   */
  public static MemoryEstimate forCheckpointModel(GPTConfig config) {
    long weights = FLOAT * ParameterCount.of(config).total();
    Map<String, Long> parts = new LinkedHashMap<>();
    parts.put("weights as read", weights);
    parts.put("AdamW moments as read", 2 * weights);
    parts.put("weights in the graph and the KV cache", 2 * weights);
    parts.put(ACTIVATIONS + " of one sequence", MicroBatches.trainingBytesPerSequence(config, config.blockSize()) / 2);
    parts.put("runtime", RUNTIME_BYTES);
    List<String> keys = new ArrayList<>(paths(Schema.N_EMBD, Schema.N_LAYER));
    addVocabularyKey(config, keys);
    return new MemoryEstimate(parts, keys);
  }

  /**
   * A model read from a checkpoint to be run, never trained (the optimizer state is not read). With the
   * KV cache (sample) no graph is built and model.npz is read one array at a time into the cache: the
   * largest array as read, the cache's float copy of the weights, the Java heap's young generation that
   * the copy passes through (as large again, measured), the cached keys and values of block_size
   * positions, and the cache's work rows (6·C and twice the MLP's hidden width per position, block_size
   * positions, and the logits). Without it (predict, attention, serve): the weights in the graph and as
   * read (closed once copied), and the activations of one forward pass at block_size tokens, as
   * {@link #forCheckpointModel} counts them.
   */
  public static MemoryEstimate forInference(GPTConfig config, boolean kvCache) {
    long weights = FLOAT * ParameterCount.of(config).total();
    Map<String, Long> parts = new LinkedHashMap<>();
    if (kvCache) {
      long C = config.nEmbd();
      long largest = C * Math.max(Math.max(config.vocabSize(), config.blockSize()), config.mlpHidden());
      parts.put("largest array as read", FLOAT * largest);
      parts.put("weights in the KV cache", weights);
      // Java makes each of the cache's rows in the young generation and copies it once into the old one:
      // measured (GPT-2 small) the young generation grows by about the weights again while they are copied.
      parts.put("young generation while the weights are copied", weights);
      long T = config.blockSize();
      long kv = 2L * config.nLayer() * T * config.nKvHead() * config.headSize();
      long rows = T * (6L * config.nEmbd() + 2L * config.mlpHidden()) + 2L * config.vocabSize();
      parts.put("KV cache of " + T + " positions", FLOAT * kv);
      parts.put("KV cache's work rows", FLOAT * rows);
    } else {
      parts.put("weights as read", weights);
      parts.put("weights in the graph", weights);
      parts.put(ACTIVATIONS + " of one sequence", MicroBatches.trainingBytesPerSequence(config, config.blockSize()) / 2);
    }
    parts.put("runtime", RUNTIME_BYTES);
    List<String> keys = new ArrayList<>(paths(Schema.N_EMBD, Schema.N_LAYER));
    addVocabularyKey(config, keys);
    return new MemoryEstimate(parts, keys);
  }

  /** The activations' part (0 when there is none). */
  public long activationBytes() {
    return parts.entrySet().stream()
        .filter(e -> e.getKey().startsWith(ACTIVATIONS))
        .map(Map.Entry::getValue)
        .reduce(0L, MemoryEstimate::saturatingAdd);
  }

  public long totalBytes() {
    return parts.values().stream().reduce(0L, MemoryEstimate::saturatingAdd);
  }

  /** "1.2 GB (weights 0.1 GB, gradients 0.1 GB, ...)". */
  public String describe() {
    StringBuilder s = new StringBuilder(size(totalBytes())).append(" (");
    String separator = "";
    for (Map.Entry<String, Long> part : parts.entrySet()) {
      s.append(separator).append(part.getKey()).append(' ').append(size(part.getValue()));
      separator = ", ";
    }
    return s.append(')').toString();
  }

  /**
   * Throws a {@link MemoryException} when the estimate is above the memory available; nothing when it
   * fits or when the available memory is unknown.
   *
   * @param subject what needs the memory, e.g. "this run" or a checkpoint's path
   * @param remedy what to do, e.g. {@link #lowerKeys()}
   */
  public void refuseAbove(AvailableMemory memory, String subject, String remedy) {
    long available = memory.bytes();
    if (available < 0 || totalBytes() <= available) {
      return;
    }
    throw new MemoryException(subject + " needs an estimated " + describe() + " and " + memory.source() + " is "
        + size(available) + "; nothing was built. " + remedy);
  }

  /** "; MemAvailable in /proc/meminfo is 20.1 GB" (with a warning when the estimate is above it), or "". */
  public String comparedWith(AvailableMemory memory) {
    long available = memory.bytes();
    if (available < 0) {
      return "";
    }
    return "; " + memory.source() + " is " + size(available)
        + (totalBytes() > available ? ": too large, training would be refused" : "");
  }

  /** "Lower model.n_embd, model.n_layer, training.batch_size or model.block_size (--set KEY=VALUE)." */
  public String lowerKeys() {
    String last = shrinkingKeys.get(shrinkingKeys.size() - 1);
    String rest = String.join(", ", shrinkingKeys.subList(0, shrinkingKeys.size() - 1));
    return "Lower " + (rest.isEmpty() ? last : rest + " or " + last) + " (--set KEY=VALUE).";
  }

  static String size(long bytes) {
    if (bytes >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%,.1f GB", bytes / 1e9);
    }
    return String.format(Locale.ROOT, "%,d MB", Math.max(1, Math.round(bytes / 1e6)));
  }

  /** data.max_vocab too, when the embedding table is at least a third of the weights (word models). */
  private static List<String> paths(Key... keys) {
    return Arrays.stream(keys).map(Key::path).toList();
  }

  private static void addVocabularyKey(GPTConfig config, List<String> keys) {
    long embedding = (long) config.vocabSize() * config.nEmbd();
    if (3 * embedding >= ParameterCount.of(config).total()) {
      keys.add(Schema.MAX_VOCAB.path());
    }
  }

  private static long saturatingMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    return high != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
  }

  private static long saturatingAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
