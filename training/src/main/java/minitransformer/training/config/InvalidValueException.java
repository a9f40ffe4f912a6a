package minitransformer.training.config;

/**
 * A value of the right type but out of range, thrown by the section records' compact
 * constructors. {@link ConfigLoader} prefixes the file or the {@code --set} it came from.
 */
public class InvalidValueException extends ConfigException {
  private final transient Key key;

  public InvalidValueException(Key key, Object value, String requirement) {
    super(key.path() + " " + requirement + ", got " + Values.render(value));
    this.key = key;
  }

  public Key key() {
    return key;
  }
}
