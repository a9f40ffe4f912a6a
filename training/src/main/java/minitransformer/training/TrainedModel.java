package minitransformer.training;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.generate.Prediction;
import minitransformer.framework.generate.Sampler;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelLoader;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.memory.AvailableMemory;
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
    CheckpointStore.Loaded loaded = CheckpointStore.loadFound(checkpointOrRun, warnings);
    Path dir = loaded.directory();
    TrainingState state = loaded.state();
    GPTConfig config = state.model();
    Tokenizer tokenizer = Tokenizers.fromJson(state.tokenizerJson());
    GPT gpt = ModelLoader.build(config, state.parameters(), dir.resolve(CheckpointStore.MODEL_FILE).toString(),
        memory);
    return new TrainedModel(dir, state.step(), gpt, tokenizer, config);
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
