package minitransformer.training.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.OptionalInt;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointException;

/**
 * A Hugging Face Llama {@code config.json} ({@code LlamaConfig}) read into a {@link GPTConfig} and
 * written from one. The mapping:
 *
 * <pre>
 *   vocab_size               vocab_size
 *   max_position_embeddings  block_size
 *   num_hidden_layers        n_layer
 *   num_attention_heads      n_head
 *   hidden_size              n_embd
 *   num_key_value_heads      n_kv_head          (absent: num_attention_heads, as LlamaConfig)
 *   intermediate_size        mlp_hidden         (mlp: swiglu)
 *   rms_norm_eps             norm_eps           (norm: rmsnorm; absent: 1e-6, as LlamaConfig)
 *   rope_theta               rope_theta         (positional_encoding: rope; absent: 10000)
 *   tie_word_embeddings      tie_embeddings     (absent: false, as LlamaConfig)
 *                            bias: false, dropout 0
 * </pre>
 *
 * Refused, each with one line naming the file and the key: {@code rope_scaling} (or {@code
 * rope_parameters}) other than null or the default rope type, {@code hidden_act} other than {@code
 * silu}, {@code attention_bias} or {@code mlp_bias} true, a {@code head_dim} other than hidden_size /
 * num_attention_heads, another {@code model_type} or architecture. Other keys (token ids, dtype,
 * initializer range, dropout rates, {@code pretraining_tp}, which changes no result) are ignored.
 */
final class LlamaConfig {
  static final String MODEL_TYPE = "llama";
  static final String ARCHITECTURE = "LlamaForCausalLM";

  private LlamaConfig() {}

  /** The architecture of a Llama {@code config.json}; refuses what this program does not implement. */
  static GPTConfig read(Path file) {
    JsonNode root = HfJson.read(file);
    String model = HfJson.optionalText(root, file, "model_type", MODEL_TYPE);
    if (!model.equals(MODEL_TYPE)) {
      throw new CheckpointException(file + ": model_type \"" + model + "\" is not \"llama\"");
    }
    JsonNode architectures = root.get("architectures");
    if (architectures != null && !architectures.isNull()) {
      for (JsonNode a : architectures) {
        if (!a.isTextual() || !(a.textValue().equals(ARCHITECTURE) || a.textValue().equals("LlamaModel"))) {
          throw new CheckpointException(file + ": architecture " + a + " is not read (only LlamaForCausalLM)");
        }
      }
    }
    String act = HfJson.optionalText(root, file, "hidden_act", "silu");
    if (!act.equals("silu")) {
      throw new CheckpointException(file + ": hidden_act \"" + act + "\" is not implemented (only \"silu\","
          + " SwiGLU's SiLU)");
    }
    HfJson.requireFlag(root, file, "attention_bias", false);
    HfJson.requireFlag(root, file, "mlp_bias", false);
    double theta = ropeTheta(root, file);
    int nEmbd = HfJson.integer(root, file, "hidden_size");
    int nHead = HfJson.integer(root, file, "num_attention_heads");
    JsonNode headDim = root.get("head_dim");
    if (headDim != null && !headDim.isNull() && !(headDim.isInt() && nHead > 0
        && (long) headDim.intValue() * nHead == nEmbd)) {
      throw new CheckpointException(file + ": head_dim " + headDim + " is not implemented (only hidden_size /"
          + " num_attention_heads = " + (nHead > 0 ? nEmbd / nHead : "?") + ")");
    }
    int nKv = root.hasNonNull("num_key_value_heads") ? HfJson.integer(root, file, "num_key_value_heads") : nHead;
    double eps = HfJson.optionalNumber(root, file, "rms_norm_eps", 1e-6);
    boolean tied = HfJson.optionalBoolean(root, file, "tie_word_embeddings", false);
    try {
      return new GPTConfig(HfJson.integer(root, file, "vocab_size"),
          HfJson.integer(root, file, "max_position_embeddings"), HfJson.integer(root, file, "num_hidden_layers"),
          nHead, nEmbd, PositionalEncoding.ROPE, false, tied, 0.0)
          .withNorm(NormKind.RMSNORM, eps)
          .withMlp(MlpKind.SWIGLU, HfJson.integer(root, file, "intermediate_size"))
          .withKvHeads(nKv)
          .withRopeTheta(theta);
    } catch (ModelConfigException e) {
      throw new CheckpointException(file + ": " + e.getMessage().replace("block_size", "max_position_embeddings")
          .replace("n_embd", "hidden_size").replace("n_head", "num_attention_heads")
          .replace("n_kv_head", "num_key_value_heads").replace("mlp_hidden", "intermediate_size")
          .replace("norm_eps", "rms_norm_eps"), e);
    }
  }

  /** rope_theta; rope_scaling must be null (or name the default rope type), as must rope_parameters' type. */
  private static double ropeTheta(JsonNode root, Path file) {
    for (String key : new String[] {"rope_scaling", "rope_parameters"}) {
      JsonNode s = root.get(key);
      if (s == null || s.isNull()) continue;
      String type = s.path("rope_type").asText(s.path("type").asText(""));
      if (!type.equals("default")) {
        throw new CheckpointException(file + ": " + key + " " + s + " is not implemented (only null: plain RoPE"
            + " without scaling)");
      }
    }
    JsonNode parameters = root.get("rope_parameters");
    if (parameters != null && parameters.hasNonNull("rope_theta") && !root.hasNonNull("rope_theta")) {
      return HfJson.optionalNumber(parameters, file, "rope_theta", GPTConfig.DEFAULT_ROPE_THETA);
    }
    return HfJson.optionalNumber(root, file, "rope_theta", GPTConfig.DEFAULT_ROPE_THETA);
  }

  /** Writes {@code file} for the model {@code c} as {@code LlamaConfig.save_pretrained} writes these keys. */
  static void write(Path file, GPTConfig c, OptionalInt endOfText) {
    ObjectNode n = HfJson.object();
    n.putArray("architectures").add(ARCHITECTURE);
    n.put("model_type", MODEL_TYPE);
    n.put("hidden_act", "silu");
    n.put("hidden_size", c.nEmbd());
    n.put("intermediate_size", c.mlpHidden());
    n.put("num_hidden_layers", c.nLayer());
    n.put("num_attention_heads", c.nHead());
    n.put("num_key_value_heads", c.nKvHead());
    n.put("head_dim", c.headSize());
    n.put("max_position_embeddings", c.blockSize());
    n.put("vocab_size", c.vocabSize());
    n.put("rms_norm_eps", c.normEps());
    n.put("rope_theta", c.ropeTheta());
    n.putNull("rope_scaling");
    n.put("attention_bias", false);
    n.put("attention_dropout", c.dropout());
    n.put("mlp_bias", false);
    n.put("tie_word_embeddings", c.tieEmbeddings());
    n.put("initializer_range", 0.02);
    n.put("torch_dtype", "float32");
    HfJson.writeConfig(file, n, endOfText);
  }
}
