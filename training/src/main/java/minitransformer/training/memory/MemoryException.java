package minitransformer.training.memory;

/** A command refused because its model would not fit in memory: one line, exit code 2. */
public class MemoryException extends RuntimeException {
  public MemoryException(String message) {
    super(message);
  }
}
