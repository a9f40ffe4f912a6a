package minitransformer.framework;

/** An invalid model configuration; the message names the field and the value. */
public class ModelConfigException extends IllegalArgumentException {
  public ModelConfigException(String message) {
    super(message);
  }
}
