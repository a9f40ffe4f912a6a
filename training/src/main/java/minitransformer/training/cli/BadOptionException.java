package minitransformer.training.cli;

/**
 * An option value or prompt checked inside a command's call() (picocli would answer its own
 * ParameterException with the whole usage text); Main prints it as one "error:" line, exit 2.
 */
public final class BadOptionException extends RuntimeException {
  public BadOptionException(String message) {
    super(message);
  }
}
