package minitransformer.training.cli;

/**
 * A bad argument the user can fix (an unknown word, a layer or position out of range, options that
 * do not go together); {@link Main} prints it as one {@code error:} line and exits with code 2.
 */
final class UsageError extends RuntimeException {
  UsageError(String message) {
    super(message);
  }
}
