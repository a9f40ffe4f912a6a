package minitransformer.training.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A value of the right type but out of range, thrown by the section records' compact
 * constructors. {@link ConfigLoader} prefixes the file or the {@code --set} it came from.
 */
public class InvalidValueException extends ConfigException {
  private final transient Key key;
  private final transient List<Key> related;

  /** @param related other keys the requirement involves (a --set of one of them is named as the cause) */
  public InvalidValueException(Key key, Object value, String requirement, Key... related) {
    super(key.path() + " " + requirement + ", got " + Values.render(value));
    this.key = key;
    this.related = List.of(related);
  }

  public Key key() {
    return key;
  }

  /** The key and the other keys the failed requirement involves. */
  public List<Key> involvedKeys() {
    List<Key> keys = new ArrayList<>();
    keys.add(key);
    keys.addAll(related);
    return keys;
  }
}
