package minitransformer.training;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.generate.JavaKvCache;
import minitransformer.framework.generate.Prediction;
import minitransformer.framework.generate.Sampler;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelLoader;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.memory.AvailableMemory;
import minitransformer.training.memory.MemoryEstimate;
import minitransformer.training.memory.MemoryException;

/**
 * A model read from a checkpoint, in eval mode, with its tokenizer: what every command that reads a
 * model works on, and the entry point for using a trained model from Java.
 *
 * @param directory the checkpoint directory it was read from
 * @param step the training step of that checkpoint
 */
public record TrainedModel(Path directory, long step, GPT gpt, Tokenizer tokenizer, GPTConfig config) {

  /** Loads a run directory's latest checkpoint, or one checkpoint directory (RUN/step-NNNNNN). */
  public static TrainedModel load(Path checkpointOrRun) {
    return load(checkpointOrRun, warning -> {});
  }

  /** As {@link #load(Path)}; warnings about the directory (e.g. a stale marker) go to warnings. */
  public static TrainedModel load(Path checkpointOrRun, Consumer<String> warnings) {
    return load(checkpointOrRun, warnings, AvailableMemory.SYSTEM);
  }

  /**
   * As {@link #load(Path, Consumer)}; a model estimated to need more than memory holds is refused with a
   * {@link MemoryException} before its graph is built.
   */
  public static TrainedModel load(Path checkpointOrRun, Consumer<String> warnings, AvailableMemory memory) {
    CheckpointStore.Loaded loaded = CheckpointStore.loadModelOnly(checkpointOrRun, warnings); // no optimizer.npz
    Path dir = loaded.directory();
    TrainingState state = loaded.state();
    GPTConfig config = state.model();
    Tokenizer tokenizer = Tokenizers.fromJson(state.tokenizerJson());
    GPT gpt = ModelLoader.buildForInference(config, state.parameters(), dir.resolve(CheckpointStore.MODEL_FILE).toString(),
        memory, MemoryEstimate.forInference(config, false));
    return new TrainedModel(dir, state.step(), gpt, tokenizer, config);
  }

  /**
   * A model read to be sampled through the KV cache and nothing else: its weights are moved into the cache
   * array by array and no graph is built, so a GPT-2 small is held once (500 MB), not three times.
   *
   * @param cache the cache, holding the weights ({@link JavaKvCache#JavaKvCache(GPTConfig, java.util.Map)})
   */
  public record ForSampling(Path directory, long step, JavaKvCache cache, Tokenizer tokenizer, GPTConfig config) {}

  /**
   * As {@link #load(Path, Consumer, AvailableMemory)} for sampling through the KV cache only; refused when
   * the weights and the cache do not fit ({@link MemoryEstimate#forInference}); empty for an architecture
   * the cache cannot run without its graph ({@link JavaKvCache#runsWithoutGraph}).
   */
  public static java.util.Optional<ForSampling> loadForSampling(
      Path checkpointOrRun, Consumer<String> warnings, AvailableMemory memory) {
    CheckpointStore.Loaded loaded = CheckpointStore.loadModelMeta(checkpointOrRun, warnings); // no arrays yet
    TrainingState state = loaded.state();
    GPTConfig config = state.model();
    if (!JavaKvCache.runsWithoutGraph(config)) {
      return java.util.Optional.empty();
    }
    Tokenizer tokenizer = Tokenizers.fromJson(state.tokenizerJson());
    JavaKvCache cache = ModelLoader.cacheForSampling(config, loaded.directory().resolve(CheckpointStore.MODEL_FILE),
        memory);
    return java.util.Optional.of(new ForSampling(loaded.directory(), state.step(), cache, tokenizer, config));
  }

  /** The prompt's tokens as the model reads them: the last block_size of them ({@link GPTConfig#context}). */
  public int[] context(String prompt) {
    return config.context(tokenizer.encode(prompt));
  }

  /** The top most likely next tokens after the prompt, best first (ties: lower id first). */
  public List<Prediction> predictNext(String prompt, int top) {
    return new Sampler(gpt).predictNext(context(prompt), top);
  }

  /** Every layer's and head's attention weights over the prompt's tokens. */
  public AttentionMaps attention(String prompt) {
    return AttentionMaps.of(gpt, context(prompt));
  }
}
