package minitransformer.training.checkpoint;

import java.nio.file.Path;

/**
 * The checkpoints of one run directory: checkpoints/RUN/step-000500/ and so on.
 * Saves are atomic (temporary directory renamed into place, then the latest/best markers).
 */
public final class CheckpointStore {
  // CONTRACT (skeleton): implemented by the checkpoint work.

  /** @param keepLast how many of the newest checkpoints to keep (the best is always kept) */
  public CheckpointStore(Path runDirectory, int keepLast) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Writes a complete checkpoint for state.step(); marks it best when isBest. Returns its directory. */
  public Path save(TrainingState state, boolean isBest) {
    throw new UnsupportedOperationException("skeleton");
  }

  /**
   * Loads a checkpoint directory, or a run directory's latest complete checkpoint. Fails with
   * {@link CheckpointException} (one line naming the file and the problem) and deletes nothing.
   */
  public static TrainingState load(Path checkpointOrRunDirectory) {
    throw new UnsupportedOperationException("skeleton");
  }
}
