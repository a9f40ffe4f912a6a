package minitransformer.training.config;

/**
 * A config file or a {@code --set} override that cannot be used. The message is one line naming the
 * file (or the override), the key and the value; the command line prints it without a stack trace.
 */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
