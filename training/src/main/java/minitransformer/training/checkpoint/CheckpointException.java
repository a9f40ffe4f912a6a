package minitransformer.training.checkpoint;

/** A checkpoint that cannot be written or read; the message names the file and the problem. */
public class CheckpointException extends RuntimeException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
