package minitransformer.training.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;

/**
 * The one JSON form of a model's architecture, with nanoGPT's key names: {@code vocab_size},
 * {@code block_size}, {@code n_layer}, {@code n_head}, {@code n_embd}, {@code positional_encoding}
 * ({@code learned}, {@code sinusoidal}, {@code rope} or {@code none}), {@code bias},
 * {@code tie_embeddings}, {@code dropout}, and the block options {@code rope_theta}, {@code norm},
 * {@code norm_eps}, {@code mlp}, {@code mlp_hidden}, {@code n_kv_head}, {@code qk_norm},
 * {@code logit_softcap}. A checkpoint's meta.json holds it under {@code model} (as nanoGPT's
 * checkpoint holds {@code model_args}); an export's model_config.json holds it at the top level.
 *
 * <p>The block options are written only for a model that uses one, and are optional when read: a
 * document without them (written before they existed, or for GPT-2's blocks) means GPT-2's blocks,
 * their defaults, so a GPT-2-block checkpoint or export is byte for byte what older programs wrote. A program older than them ignores keys it does not
 * know, so a model that uses any of them is written under a higher format version
 * ({@link #usesBlockOptions}), which such a program refuses with one line instead of building GPT-2's
 * blocks from it.
 */
public final class ModelConfigJson {
  private ModelConfigJson() {}

  /**
   * Whether c differs from GPT-2's blocks in a way an older reader (which ignores the block keys)
   * would get wrong; such a model needs the checkpoint format version 3 and the export format
   * version 2.
   */
  public static boolean usesBlockOptions(GPTConfig c) {
    return !c.hasGpt2Blocks();
  }

  /** Adds the architecture's keys to node, in the documented order (the block keys only when used). */
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
    if (!usesBlockOptions(c)) {
      return; // GPT-2's blocks: the document stays as programs before the block options wrote it
    }
    node.put("rope_theta", c.ropeTheta());
    node.put("norm", c.norm().key());
    node.put("norm_eps", c.normEps());
    node.put("mlp", c.mlp().key());
    node.put("mlp_hidden", c.mlpHidden());
    node.put("n_kv_head", c.nKvHead());
    node.put("qk_norm", c.qkNorm());
    node.put("logit_softcap", c.logitSoftcap());
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
      throw new CheckpointException(
          source + ": positional_encoding '" + pe + "' must be learned, sinusoidal, rope or none");
    }
    NormKind norm = choice(node, "norm", NormKind.LAYERNORM, NormKind.class, source);
    MlpKind mlp = choice(node, "mlp", MlpKind.GELU, MlpKind.class, source);
    try {
      return new GPTConfig(integer(node, "vocab_size", source), integer(node, "block_size", source),
          integer(node, "n_layer", source), integer(node, "n_head", source), integer(node, "n_embd", source),
          encoding, bool(node, "bias", source), bool(node, "tie_embeddings", source), number(node, "dropout", source),
          norm, node.has("norm_eps") ? number(node, "norm_eps", source) : GPTConfig.DEFAULT_NORM_EPS,
          mlp, node.has("mlp_hidden") ? integer(node, "mlp_hidden", source) : 0,
          node.has("n_kv_head") ? integer(node, "n_kv_head", source) : 0,
          node.has("qk_norm") && bool(node, "qk_norm", source),
          node.has("logit_softcap") ? number(node, "logit_softcap", source) : 0.0,
          node.has("rope_theta") ? number(node, "rope_theta", source) : GPTConfig.DEFAULT_ROPE_THETA);
    } catch (ModelConfigException e) {
      throw new CheckpointException(source + ": " + e.getMessage(), e);
    }
  }

  /** An optional choice (absent: GPT-2's); the names are the enum's in lower case. */
  private static <E extends Enum<E>> E choice(JsonNode n, String key, E absent, Class<E> type, String source) {
    if (!n.has(key)) return absent;
    String value = text(n, key, source);
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(value)) return e;
    }
    throw new CheckpointException(source + ": " + key + " '" + value + "' must be one of "
        + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
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
