package minitransformer.training.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Locale;
import minitransformer.datasets.DataException;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.config.Key;
import minitransformer.training.config.Schema;

/**
 * The architecture of a version-1 checkpoint, whose meta.json has no {@code model} key: the
 * {@code model} section of its resolved config ({@code config_yaml}, defaults for missing keys) and
 * the vocabulary size of its tokenizer. Read only for that version; later ones carry the model
 * config itself ({@link ModelConfigJson}).
 */
final class LegacyModelConfig {
  private static final YAMLMapper YAML = new YAMLMapper();

  private LegacyModelConfig() {}

  static GPTConfig read(String configYaml, String tokenizerJson, String source) {
    JsonNode model;
    try {
      JsonNode root = YAML.readTree(configYaml);
      model = root == null ? null : root.get(Schema.MODEL);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(source + ": not valid YAML (" + e.getOriginalMessage() + ")", e);
    }
    if (model == null || !model.isObject()) throw new CheckpointException(source + ": no model section");
    int vocabSize;
    try {
      vocabSize = Tokenizers.fromJson(tokenizerJson).vocabSize();
    } catch (DataException e) {
      throw new CheckpointException(source + ": its tokenizer_json cannot be read (" + e.getMessage() + ")", e);
    }
    try {
      return new GPTConfig(
          vocabSize,
          integer(model, Schema.BLOCK_SIZE, source),
          integer(model, Schema.N_LAYER, source),
          integer(model, Schema.N_HEAD, source),
          integer(model, Schema.N_EMBD, source),
          PositionalEncoding.valueOf(text(model, Schema.POSITIONAL_ENCODING).toUpperCase(Locale.ROOT)),
          bool(model, Schema.BIAS),
          bool(model, Schema.TIE_EMBEDDINGS),
          real(model, Schema.DROPOUT));
    } catch (IllegalArgumentException e) { // ModelConfigException, or an unknown positional_encoding
      throw new CheckpointException(source + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode value(JsonNode section, Key key) {
    JsonNode v = section.get(key.name());
    return v == null || v.isNull() ? null : v;
  }

  private static int integer(JsonNode section, Key key, String source) {
    JsonNode v = value(section, key);
    if (v == null) return ((Number) key.defaultValue()).intValue();
    if (!v.canConvertToInt() && !v.isTextual()) {
      throw new CheckpointException(source + ": " + key.path() + " must be an integer, got " + v);
    }
    return v.asInt();
  }

  private static double real(JsonNode section, Key key) {
    JsonNode v = value(section, key);
    return v == null ? ((Number) key.defaultValue()).doubleValue() : v.asDouble();
  }

  private static boolean bool(JsonNode section, Key key) {
    JsonNode v = value(section, key);
    return v == null ? (Boolean) key.defaultValue() : v.asBoolean();
  }

  private static String text(JsonNode section, Key key) {
    JsonNode v = value(section, key);
    return v == null ? String.valueOf(key.defaultValue()) : v.asText();
  }
}
