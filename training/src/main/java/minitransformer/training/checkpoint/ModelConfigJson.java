package minitransformer.training.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.PositionalEncoding;

/**
 * The one JSON form of a model's architecture, with nanoGPT's key names: {@code vocab_size},
 * {@code block_size}, {@code n_layer}, {@code n_head}, {@code n_embd}, {@code positional_encoding}
 * ({@code learned} or {@code sinusoidal}), {@code bias}, {@code tie_embeddings}, {@code dropout},
 * {@code layer_norm_eps} (written since models could come from Hugging Face; a document without it,
 * saved before, means {@link GPTConfig#DEFAULT_LAYER_NORM_EPS}, the ε every earlier model had). A
 * checkpoint's meta.json holds it under {@code model} (as nanoGPT's checkpoint holds
 * {@code model_args}); an export's model_config.json holds it at the top level.
 */
public final class ModelConfigJson {
  private ModelConfigJson() {}

  /** Adds the architecture's keys to node, in the documented order. */
  public static void write(GPTConfig c, ObjectNode node) {
    node.put("vocab_size", c.vocabSize());
    node.put("block_size", c.blockSize());
    node.put("n_layer", c.nLayer());
    node.put("n_head", c.nHead());
    node.put("n_embd", c.nEmbd());
    node.put("positional_encoding", c.positionalEncoding().name().toLowerCase(Locale.ROOT));
    node.put("bias", c.bias());
    node.put("tie_embeddings", c.tieEmbeddings());
    node.put("dropout", c.dropout());
    node.put("layer_norm_eps", c.layerNormEps());
  }

  /**
   * Reads the architecture's keys from node (other keys are ignored); every error is a
   * CheckpointException that starts with source and names the key.
   */
  public static GPTConfig read(JsonNode node, String source) {
    if (node == null || !node.isObject()) throw new CheckpointException(source + ": not a JSON object");
    String pe = text(node, "positional_encoding", source);
    PositionalEncoding encoding;
    try {
      encoding = PositionalEncoding.valueOf(pe.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(source + ": positional_encoding '" + pe + "' must be learned or sinusoidal");
    }
    try {
      return new GPTConfig(integer(node, "vocab_size", source), integer(node, "block_size", source),
          integer(node, "n_layer", source), integer(node, "n_head", source), integer(node, "n_embd", source),
          encoding, bool(node, "bias", source), bool(node, "tie_embeddings", source), number(node, "dropout", source),
          node.has("layer_norm_eps") ? number(node, "layer_norm_eps", source) : GPTConfig.DEFAULT_LAYER_NORM_EPS);
    } catch (ModelConfigException e) {
      throw new CheckpointException(source + ": " + e.getMessage(), e);
    }
  }

  private static int integer(JsonNode n, String key, String source) {
    JsonNode v = n.get(key);
    if (v == null || !v.isInt()) throw new CheckpointException(source + ": key '" + key + "' must be an integer, got " + v);
    return v.intValue();
  }

  private static boolean bool(JsonNode n, String key, String source) {
    JsonNode v = n.get(key);
    if (v == null || !v.isBoolean()) {
      throw new CheckpointException(source + ": key '" + key + "' must be true or false, got " + v);
    }
    return v.booleanValue();
  }

  private static double number(JsonNode n, String key, String source) {
    JsonNode v = n.get(key);
    if (v == null || !v.isNumber()) throw new CheckpointException(source + ": key '" + key + "' must be a number, got " + v);
    return v.doubleValue();
  }

  private static String text(JsonNode n, String key, String source) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) throw new CheckpointException(source + ": key '" + key + "' must be a string, got " + v);
    return v.textValue();
  }
}
