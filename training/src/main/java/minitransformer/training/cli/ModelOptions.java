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

  /** The checkpoint directory that --checkpoint names; warnings (e.g. a stale marker) go to err. */
  public Path resolve(PrintWriter err) {
    return resolve(checkpoint, err);
  }

  /** The checkpoint directory a run or checkpoint directory names; warnings go to err. */
  static Path resolve(Path checkpointOrRun, PrintWriter err) {
    return CheckpointStore.resolve(checkpointOrRun, w -> err.println("warning: " + w));
  }

  /**
   * Resolves, verifies and loads the checkpoint, refusing (one line) a model too large for the memory
   * available; warnings (e.g. a stale marker) go to err.
   */
  public TrainedModel load(PrintWriter err) {
    return TrainedModel.load(checkpoint, w -> err.println("warning: " + w), context.memory());
  }
}
