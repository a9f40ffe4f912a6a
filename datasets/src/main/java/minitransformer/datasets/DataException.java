package minitransformer.datasets;

/**
 * A problem with the user's data that they can fix (missing, empty or non-UTF-8 file, corpus
 * shorter than one block, unknown character). The message is one line naming the file and the
 * problem; the command line prints it without a stack trace.
 */
public class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
