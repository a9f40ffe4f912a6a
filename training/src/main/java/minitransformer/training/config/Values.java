package minitransformer.training.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Typed values by key, each checked against its key's type when it is set. */
final class Values {
  private final Map<Key, Object> values = new HashMap<>();

  /** Every key with a default, set to it. */
  static Values defaults() {
    Values v = new Values();
    for (Key key : Schema.keys()) {
      if (key.defaultValue() != null) {
        v.values.put(key, key.defaultValue());
      }
    }
    return v;
  }

  /**
   * Sets a key from a YAML node. Relative paths resolve against baseDir.
   *
   * @throws ConfigException "KEY must be TYPE, got VALUE" (without the file; the caller adds it)
   */
  void set(Key key, JsonNode node, Path baseDir) {
    values.put(key, convert(key, node, baseDir));
  }

  /** Sets a key to a value already of its type (a value taken from a checkpoint). */
  void put(Key key, Object value) {
    values.put(key, value);
  }

  /** The value of a key, null when it has none. */
  Object get(Key key) {
    return values.get(key);
  }

  boolean has(Key key) {
    return values.get(key) != null;
  }

  int integer(Key key) {
    return (Integer) require(key);
  }

  long longInteger(Key key) {
    return (Long) require(key);
  }

  double real(Key key) {
    return (Double) require(key);
  }

  boolean bool(Key key) {
    return (Boolean) require(key);
  }

  String string(Key key) {
    return (String) require(key);
  }

  Path path(Key key) {
    return (Path) require(key);
  }

  @SuppressWarnings("unchecked")
  List<String> stringList(Key key) {
    return (List<String>) require(key);
  }

  private Object require(Key key) {
    Object value = values.get(key);
    if (value == null) {
      throw new ConfigException(key.path() + " is required but missing");
    }
    return value;
  }

  private static Object convert(Key key, JsonNode node, Path baseDir) {
    Object value =
        switch (key.type()) {
          case INT -> node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
          case LONG -> node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : null;
          case DOUBLE -> node.isNumber() ? node.doubleValue() : null;
          case BOOLEAN -> node.isBoolean() ? node.booleanValue() : null;
          case STRING -> node.isTextual() ? node.textValue() : null;
          case PATH ->
              node.isTextual() && !node.textValue().isBlank()
                  ? baseDir.resolve(node.textValue()).toAbsolutePath().normalize()
                  : null;
          case STRING_LIST -> stringList(node);
        };
    if (value == null && key.type() == Key.Type.INT && node.isIntegralNumber()) {
      throw new ConfigException(
          key.path() + " must be an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE + ", got " + render(node));
    }
    if (value == null) {
      throw new ConfigException(
          key.path() + " must be " + key.type().description + ", got " + render(node));
    }
    if (!key.choices().isEmpty() && !key.choices().contains(value)) {
      throw new ConfigException(
          key.path() + " must be one of " + String.join(", ", key.choices()) + ", got " + render(node));
    }
    return value;
  }

  private static List<String> stringList(JsonNode node) {
    if (!node.isArray()) {
      return null;
    }
    List<String> list = new ArrayList<>();
    for (JsonNode element : node) {
      if (!element.isTextual()) {
        return null;
      }
      list.add(element.textValue());
    }
    return List.copyOf(list);
  }

  /** A value as a message shows it: strings quoted, a missing value as "nothing". */
  static String render(Object value) {
    if (value instanceof JsonNode node) {
      if (node.isNull() || node.isMissingNode()) {
        return "nothing";
      }
      return node.isTextual() ? '"' + node.textValue() + '"' : node.toString();
    }
    if (value instanceof String || value instanceof Path) {
      return "\"" + value + '"';
    }
    return String.valueOf(value);
  }
}
