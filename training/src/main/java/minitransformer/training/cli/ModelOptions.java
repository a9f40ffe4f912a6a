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
import minitransformer.training.memory.MemoryEstimate;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --checkpoint DIR}, shared (as a picocli {@code @Mixin}) by every command that reads a
 * trained model: a run directory means its latest checkpoint, or one checkpoint directory.
 */
public final class ModelOptions {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A run directory (its latest checkpoint) or one checkpoint directory (RUN/step-NNNNNN).")
  Path checkpoint;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** A model read from a checkpoint, in eval mode. */
  public record LoadedModel(Path directory, long step, GPT gpt, Tokenizer tokenizer, GPTConfig config) {}

  /** Resolves, verifies and loads the checkpoint; warnings (e.g. a stale marker) go to err. */
  public LoadedModel load(PrintWriter err) {
    Path dir = CheckpointStore.resolve(checkpoint, w -> err.println("warning: " + w));
    TrainingState state = CheckpointStore.load(dir, w -> {});
    GPTConfig config = CheckpointModel.gptConfig(state, dir);
    Tokenizer tokenizer = Tokenizers.fromJson(state.tokenizerJson());
    refuseTooLarge(dir, config);
    GPT gpt = GPT.create(config, 0);
    try {
      gpt.loadParameters(state.parameters());
    } catch (ModelConfigException e) {
      throw new CheckpointException(dir.resolve(CheckpointStore.MODEL_FILE) + ": " + e.getMessage(), e);
    }
    return new LoadedModel(dir, state.step(), gpt, tokenizer, config);
  }

  /** One line, before the graph is built, when the model would not fit in the memory available. */
  private void refuseTooLarge(Path dir, GPTConfig config) {
    MemoryEstimate.forCheckpointModel(config).refuseAbove(Main.availableMemory(command), dir.toString(),
        "Its model (n_layer " + config.nLayer() + ", n_embd " + config.nEmbd() + ", vocabulary " + config.vocabSize()
            + ") is too large for this machine; free memory, or use a model trained with a smaller model.n_embd"
            + " or model.n_layer.");
  }
}
