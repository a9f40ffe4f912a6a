package minitransformer.training.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A request body: one JSON object whose fields take the command-line options' names ({@code prompt},
 * {@code top}, {@code temperature}, {@code top_k}, {@code top_p}, {@code seed}, {@code tokens},
 * {@code layer}, {@code head}, {@code position}, {@code words}, ...). Every getter checks its field and
 * throws a 400 naming it; an unknown field is refused too, so a misspelt option is not silently ignored.
 */
final class Fields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode body;

  private Fields(JsonNode body) {
    this.body = body;
  }

  /** Parses the body; only the listed fields are allowed. */
  static Fields parse(byte[] bytes, Set<String> allowed) {
    JsonNode node;
    try {
      node = bytes.length == 0 ? null : JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "body: malformed JSON (" + e.getOriginalMessage() + ")");
    } catch (java.io.IOException e) {
      throw new ApiException(400, "body: unreadable (" + e.getMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new ApiException(400, "body: a JSON object is needed, e.g. {\"prompt\": \"...\"}");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw ApiException.badField(name, "unknown field (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
    return new Fields(node);
  }

  boolean has(String field) {
    JsonNode v = body.get(field);
    return v != null && !v.isNull();
  }

  String text(String field) {
    JsonNode v = required(field);
    if (!v.isTextual()) {
      throw ApiException.badField(field, "must be a string, got " + v);
    }
    return v.asText();
  }

  /** A required non-empty text of at most maxChars characters. */
  String text(String field, int maxChars) {
    String s = text(field);
    if (s.isEmpty()) {
      throw ApiException.badField(field, "is empty");
    }
    if (s.length() > maxChars) {
      throw ApiException.badField(field, "is " + s.length() + " characters long, more than the limit of " + maxChars);
    }
    return s;
  }

  /** An integer in [min, max], or fallback when absent. */
  int integer(String field, int fallback, int min, int max) {
    if (!has(field)) {
      return fallback;
    }
    return integer(field, min, max);
  }

  /** A required integer in [min, max]. */
  int integer(String field, int min, int max) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiException.badField(field, "must be an integer, got " + v);
    }
    int i = v.asInt();
    if (i < min || i > max) {
      throw ApiException.badField(field, i + " is out of range " + min + ".." + max);
    }
    return i;
  }

  long longInteger(String field, long fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonNode v = body.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw ApiException.badField(field, "must be an integer, got " + v);
    }
    return v.asLong();
  }

  boolean bool(String field, boolean fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonNode v = body.get(field);
    if (!v.isBoolean()) {
      throw ApiException.badField(field, "must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  double number(String field, double fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonNode v = body.get(field);
    if (!v.isNumber()) {
      throw ApiException.badField(field, "must be a number, got " + v);
    }
    return v.asDouble();
  }

  /** A list of words: a JSON array of strings or one comma-separated string (as on the command line). */
  List<String> words(String field, int min, int max) {
    JsonNode v = required(field);
    List<String> words = new ArrayList<>();
    if (v.isTextual()) {
      for (String w : v.asText().split(",", -1)) {
        words.add(w.trim());
      }
    } else if (v.isArray()) {
      for (JsonNode w : v) {
        if (!w.isTextual()) {
          throw ApiException.badField(field, "must hold strings, got " + w);
        }
        words.add(w.asText());
      }
    } else {
      throw ApiException.badField(field, "must be an array of strings or \"a,b,c\", got " + v);
    }
    if (words.size() < min || words.size() > max) {
      throw ApiException.badField(field, "needs " + min + " to " + max + " words, got " + words.size());
    }
    for (String w : words) {
      if (w.isEmpty()) {
        throw ApiException.badField(field, "holds an empty word");
      }
    }
    return words;
  }

  private JsonNode required(String field) {
    if (!has(field)) {
      throw ApiException.badField(field, "missing");
    }
    return body.get(field);
  }
}
