package minitransformer.training.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import minitransformer.training.TrainedModel;
import minitransformer.training.checkpoint.CheckpointStore;
import picocli.CommandLine.Option;

/**
 * {@code --checkpoint DIR}, shared (as a picocli {@code @Mixin}) by every command that reads a
 * checkpoint: a run directory means its latest checkpoint, or one checkpoint directory.
 */
public final class ModelOptions {
  static final String DESCRIPTION =
      "A run directory (its latest checkpoint) or one checkpoint directory (RUN/step-NNNNNN).";

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = DESCRIPTION)
  Path checkpoint;

  private final CommandContext context;

  ModelOptions(CommandContext context) {
    this.context = context;
  }

  /** The checkpoint that --checkpoint names and its state, each file verified once; warnings go to err. */
  public CheckpointStore.Loaded read(PrintWriter err) {
    return read(checkpoint, err);
  }

  /** The checkpoint a run or checkpoint directory names and its state; warnings (e.g. a stale marker) go to err. */
  static CheckpointStore.Loaded read(Path checkpointOrRun, PrintWriter err) {
    return CheckpointStore.loadFound(checkpointOrRun, w -> err.println("warning: " + w));
  }

  /**
   * As {@link #read(PrintWriter)} for a command that only looks at the model (inspect): model.npz is read,
   * optimizer.npz is not opened ({@link CheckpointStore#loadModelOnly}).
   */
  public CheckpointStore.Loaded readModel(PrintWriter err) {
    return readModel(checkpoint, err);
  }

  /** As {@link #read(Path, PrintWriter)}, without the optimizer state. */
  static CheckpointStore.Loaded readModel(Path checkpointOrRun, PrintWriter err) {
    return CheckpointStore.loadModelOnly(checkpointOrRun, w -> err.println("warning: " + w));
  }

  /**
   * Resolves, verifies and loads the checkpoint, refusing (one line) a model too large for the memory
   * available; warnings (e.g. a stale marker) go to err.
   */
  public TrainedModel load(PrintWriter err) {
    return TrainedModel.load(checkpoint, w -> err.println("warning: " + w), context.memory());
  }

  /** The model as a KV cache only ({@link TrainedModel#loadForSampling}); empty where it needs its graph. */
  public java.util.Optional<TrainedModel.ForSampling> loadForSampling(PrintWriter err) {
    return TrainedModel.loadForSampling(checkpoint, w -> err.println("warning: " + w), context.memory());
  }
}
