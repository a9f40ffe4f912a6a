package minitransformer.training.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import picocli.CommandLine.Option;

/**
 * {@code --checkpoint DIR}, shared (as a picocli {@code @Mixin}) by every command that reads a
 * trained model: a run directory means its latest checkpoint, or one checkpoint directory.
 */
public final class ModelOptions {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A run directory (its latest checkpoint) or one checkpoint directory (RUN/step-NNNNNN).")
  Path checkpoint;

  /** A model read from a checkpoint, in eval mode. */
  public record LoadedModel(Path directory, long step, GPT gpt, Tokenizer tokenizer, GPTConfig config) {}

  /** Resolves, verifies and loads the checkpoint; warnings (e.g. a stale marker) go to err. */
  public LoadedModel load(PrintWriter err) {
    Path dir = CheckpointStore.resolve(checkpoint, w -> err.println("warning: " + w));
    TrainingState state = CheckpointStore.load(dir, w -> {});
    GPTConfig config = state.model();
    Tokenizer tokenizer = Tokenizers.fromJson(state.tokenizerJson());
    GPT gpt = GPT.create(config, 0);
    try {
      gpt.loadParameters(state.parameters());
    } catch (ModelConfigException e) {
      throw new CheckpointException(dir.resolve(CheckpointStore.MODEL_FILE) + ": " + e.getMessage(), e);
    }
    return new LoadedModel(dir, state.step(), gpt, tokenizer, config);
  }
}
