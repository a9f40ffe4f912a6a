package minitransformer.training.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.Locale;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.config.Key;
import minitransformer.training.config.Schema;

/**
 * The architecture of a checkpoint: the {@code model} section of its resolved config and the vocabulary
 * size of its tokenizer. Only the model section is read, so a checkpoint whose corpus has moved can
 * still be inspected and exported.
 */
public final class CheckpointModel {
  private static final YAMLMapper YAML = new YAMLMapper();

  private CheckpointModel() {}

  public static GPTConfig gptConfig(TrainingState state, Path checkpoint) {
    String source = checkpoint.resolve("meta.json") + " (config_yaml)";
    JsonNode model;
    try {
      JsonNode root = YAML.readTree(state.resolvedConfigYaml());
      model = root == null ? null : root.get(Schema.MODEL);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(source + ": not valid YAML (" + e.getOriginalMessage() + ")", e);
    }
    if (model == null || !model.isObject()) throw new CheckpointException(source + ": no model section");
    int vocabSize = Tokenizers.fromJson(state.tokenizerJson()).vocabSize();
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

  /**
   * A config document holding the model section of an imported model, for a checkpoint made by
   * {@code import}. It has no data path: continuing to train it needs {@code --set data.path=...}.
   */
  public static String importedConfigYaml(GPTConfig c, String tokenizerKind, Path from) {
    return "# Imported from " + from.toAbsolutePath() + ": the architecture only. To train on, give a corpus:\n"
        + "#   train --resume DIR --set data.path=CORPUS\n"
        + Schema.MODEL + ":\n"
        + "  " + Schema.N_LAYER.name() + ": " + c.nLayer() + "\n"
        + "  " + Schema.N_HEAD.name() + ": " + c.nHead() + "\n"
        + "  " + Schema.N_EMBD.name() + ": " + c.nEmbd() + "\n"
        + "  " + Schema.BLOCK_SIZE.name() + ": " + c.blockSize() + "\n"
        + "  " + Schema.DROPOUT.name() + ": " + c.dropout() + "\n"
        + "  " + Schema.BIAS.name() + ": " + c.bias() + "\n"
        + "  " + Schema.TIE_EMBEDDINGS.name() + ": " + c.tieEmbeddings() + "\n"
        + "  " + Schema.POSITIONAL_ENCODING.name() + ": " + c.positionalEncoding().name().toLowerCase(Locale.ROOT) + "\n"
        + Schema.DATA + ":\n"
        + "  " + Schema.TOKENIZER.name() + ": " + tokenizerKind + "\n";
  }
}
