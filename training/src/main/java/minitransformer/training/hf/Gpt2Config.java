package minitransformer.training.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointException;

/**
 * A Hugging Face GPT-2 {@code config.json} ({@code GPT2Config}) read into a {@link GPTConfig} and
 * written from one. Reading refuses, with one line naming the file and the key, every setting this
 * program does not implement; writing writes what {@code GPT2Config.save_pretrained} does for this
 * architecture. {@link Gpt2Checkpoint} reads and writes the directory around it.
 */
final class Gpt2Config {
  /** HF's activation names for GPT-2's tanh GELU: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
  private static final Set<String> TANH_GELU = Set.of("gelu_new", "gelu_pytorch_tanh");
  private static final Set<String> ARCHITECTURES = Set.of("GPT2LMHeadModel", "GPT2Model");

  private Gpt2Config() {}

  /** As {@link Gpt2Checkpoint#readConfig}. */
  static GPTConfig read(Path file) {
    JsonNode root = HfJson.read(file);
    String model = HfJson.optionalText(root, file, "model_type", "gpt2");
    if (!model.equals("gpt2")) {
      throw new CheckpointException(file + ": model_type \"" + model + "\" is not \"gpt2\"; only GPT-2 models are"
          + " read");
    }
    JsonNode architectures = root.get("architectures");
    if (architectures != null && !architectures.isNull()) {
      if (!architectures.isArray() || architectures.isEmpty()) {
        throw new CheckpointException(file + ": architectures must be a list such as [\"GPT2LMHeadModel\"], got "
            + architectures);
      }
      for (JsonNode a : architectures) {
        if (!a.isTextual() || !ARCHITECTURES.contains(a.textValue())) {
          throw new CheckpointException(file + ": architecture " + a + " is not read (only GPT2LMHeadModel and"
              + " GPT2Model)");
        }
      }
    }
    String activation = HfJson.optionalText(root, file, "activation_function", "gelu_new");
    if (!TANH_GELU.contains(activation)) {
      throw new CheckpointException(file + ": activation_function \"" + activation + "\" is not implemented (only"
          + " GPT-2's tanh GELU, gelu_new)");
    }
    HfJson.requireFlag(root, file, "scale_attn_weights", true);
    HfJson.requireFlag(root, file, "scale_attn_by_inverse_layer_idx", false);
    HfJson.requireFlag(root, file, "reorder_and_upcast_attn", false);
    HfJson.requireFlag(root, file, "add_cross_attention", false);
    int nEmbd = HfJson.integer(root, file, "n_embd");
    JsonNode nInner = root.get("n_inner");
    if (nInner != null && !nInner.isNull() && !(nInner.isInt() && nInner.intValue() == 4 * nEmbd)) {
      throw new CheckpointException(file + ": n_inner " + nInner + " is not implemented (the MLP is 4 * n_embd = "
          + 4 * nEmbd + " wide)");
    }
    double eps = HfJson.optionalNumber(root, file, "layer_norm_epsilon", 1e-5);
    try {
      return new GPTConfig(HfJson.integer(root, file, "vocab_size"), HfJson.integer(root, file, "n_positions"),
          HfJson.integer(root, file, "n_layer"), HfJson.integer(root, file, "n_head"), nEmbd, PositionalEncoding.LEARNED,
          true, true, 0.0).withNorm(NormKind.LAYERNORM, eps);
    } catch (ModelConfigException e) {
      throw new CheckpointException(file + ": " + e.getMessage().replace("block_size", "n_positions")
          .replace("norm_eps ", "layer_norm_epsilon "), e);
    }
  }

  /** Writes {@code file} for the model {@code c}; {@code endOfText}, when present, is its bos and eos token id. */
  static void write(Path file, GPTConfig c, OptionalInt endOfText) {
    ObjectNode n = HfJson.object();
    n.putArray("architectures").add("GPT2LMHeadModel");
    n.put("model_type", "gpt2");
    n.put("activation_function", "gelu_new");
    n.put("n_layer", c.nLayer());
    n.put("n_head", c.nHead());
    n.put("n_embd", c.nEmbd());
    n.put("n_positions", c.blockSize());
    n.put("n_ctx", c.blockSize());
    n.putNull("n_inner");
    n.put("vocab_size", c.vocabSize());
    n.put("layer_norm_epsilon", c.normEps());
    n.put("initializer_range", 0.02);
    n.put("embd_pdrop", c.dropout());
    n.put("attn_pdrop", c.dropout());
    n.put("resid_pdrop", c.dropout());
    n.put("scale_attn_weights", true);
    n.put("scale_attn_by_inverse_layer_idx", false);
    n.put("reorder_and_upcast_attn", false);
    n.put("tie_word_embeddings", true);
    HfJson.writeConfig(file, n, endOfText);
  }
}
