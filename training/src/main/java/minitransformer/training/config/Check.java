package minitransformer.training.config;

/** Range checks for the section records; each failure names the key and the value. */
final class Check {
  private Check() {}

  static void atLeast(Key key, long value, long minimum) {
    if (value < minimum) {
      throw new InvalidValueException(key, value, "must be >= " + minimum);
    }
  }

  static void positive(Key key, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new InvalidValueException(key, value, "must be a finite number > 0");
    }
  }

  static void nonNegative(Key key, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new InvalidValueException(key, value, "must be a finite number >= 0");
    }
  }

  /** lower <= value < upper. */
  static void inHalfOpen(Key key, double value, double lower, double upper) {
    if (!(value >= lower && value < upper)) {
      throw new InvalidValueException(key, value, "must be in [" + lower + ", " + upper + ")");
    }
  }

  /** lower < value < upper. */
  static void inOpen(Key key, double value, double lower, double upper) {
    if (!(value > lower && value < upper)) {
      throw new InvalidValueException(key, value, "must be in (" + lower + ", " + upper + ")");
    }
  }

  static void notNull(Key key, Object value) {
    if (value == null) {
      throw new ConfigException(key.path() + " is required but missing");
    }
  }
}
