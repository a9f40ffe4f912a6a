package minitransformer.training.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import picocli.CommandLine.Option;

/** {@code --checkpoint DIR}, shared by the commands that look inside a trained model. */
final class CheckpointOption {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
      description = "A checkpoint directory (checkpoints/RUN/step-000500) or a run directory (its latest).")
  Path checkpoint;

  /** A checkpoint's model, built and filled with its weights, and its tokenizer. */
  record Loaded(Path directory, GPT model, Tokenizer tokenizer, TrainingState state) {}

  /** The checkpoint, checked against its checksums; warnings go to err. */
  Loaded load(PrintWriter err) {
    Path dir = CheckpointStore.resolve(checkpoint, w -> err.println("warning: " + w));
    TrainingState state = CheckpointStore.load(dir, w -> err.println("warning: " + w));
    GPTConfig config = CheckpointModel.gptConfig(state, dir);
    GPT model = GPT.create(config, 0);
    model.loadParameters(state.parameters());
    return new Loaded(dir, model, Tokenizers.fromJson(state.tokenizerJson()), state);
  }
}
