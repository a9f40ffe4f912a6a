package minitransformer.training.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;
import minitransformer.training.checkpoint.CheckpointException;

/**
 * Reading a Hugging Face {@code config.json}: the object itself and its keys, each problem a {@link
 * CheckpointException} of one line naming the file and the key. Shared by {@link Gpt2Config} and
 * {@link LlamaConfig}.
 */
final class HfJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HfJson() {}

  static JsonNode read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + " does not exist", e);
    } catch (IOException e) {
      throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      JsonNode root = JSON.readTree(text);
      if (root == null || !root.isObject()) throw new CheckpointException(file + ": not a JSON object");
      return root;
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": not valid JSON (" + e.getOriginalMessage().lines().findFirst()
          .orElse("") + ")", e);
    }
  }

  static int integer(JsonNode root, Path file, String key) {
    JsonNode v = root.get(key);
    if (v == null || !v.isInt()) {
      throw new CheckpointException(file + ": key '" + key + "' must be an integer, got " + v);
    }
    return v.intValue();
  }

  static String optionalText(JsonNode root, Path file, String key, String fallback) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isTextual()) throw new CheckpointException(file + ": key '" + key + "' must be a string, got " + v);
    return v.textValue();
  }

  static double optionalNumber(JsonNode root, Path file, String key, double fallback) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isNumber()) throw new CheckpointException(file + ": " + key + " must be a number, got " + v);
    return v.doubleValue();
  }

  static boolean optionalBoolean(JsonNode root, Path file, String key, boolean fallback) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isBoolean()) throw new CheckpointException(file + ": key '" + key + "' must be true or false, got " + v);
    return v.booleanValue();
  }

  /** A flag whose absence means HF's default, which is what this program implements. */
  static void requireFlag(JsonNode root, Path file, String key, boolean implemented) {
    boolean value = optionalBoolean(root, file, key, implemented);
    if (value != implemented) {
      throw new CheckpointException(file + ": " + key + " = " + value + " is not implemented (only "
          + implemented + ")");
    }
  }

  /** An empty config.json document. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * Writes a config.json: the document, with the end-of-text id as bos_token_id and eos_token_id when the
   * tokenizer has one (as Hugging Face's GPT-2 and SmolLM2 configs carry it).
   */
  static void writeConfig(Path file, ObjectNode n, OptionalInt endOfText) {
    if (endOfText.isPresent()) {
      n.put("bos_token_id", endOfText.getAsInt());
      n.put("eos_token_id", endOfText.getAsInt());
    }
    try {
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
