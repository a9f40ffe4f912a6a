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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes a Hugging Face GPT-2 model directory: {@code config.json} ({@code GPT2Config}) and
 * {@code model.safetensors} ({@code GPT2LMHeadModel}'s state dict), mapped through {@link Gpt2Names}.
 *
 * <p>GPT-2 is this program's architecture with {@code bias: true}, {@code tie_embeddings: true},
 * learned positions and the tanh GELU, so a model reads as a {@link GPTConfig} and its parameters.
 * Reading validates everything first: every {@code config.json} setting this program does not
 * implement ({@code activation_function} other than the tanh GELU, {@code
 * scale_attn_by_inverse_layer_idx}, {@code reorder_and_upcast_attn}, unscaled attention, {@code
 * n_inner} other than 4C, cross-attention, another architecture) and every tensor (missing, extra,
 * wrong shape or dtype, an {@code lm_head.weight} that differs from {@code wte.weight}) is refused with
 * one line naming the file and the key or tensor, before any parameter is read.
 *
 * <p>Dropout is not part of the import ({@code dropout: 0}); a fine-tune's config sets it.
 */
public final class Gpt2Checkpoint {
  public static final String WEIGHTS = "model.safetensors";
  public static final String CONFIG = "config.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** HF's activation names for GPT-2's tanh GELU: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
  private static final Set<String> TANH_GELU = Set.of("gelu_new", "gelu_pytorch_tanh");
  private static final Set<String> ARCHITECTURES = Set.of("GPT2LMHeadModel", "GPT2Model");

  private Gpt2Checkpoint() {}

  /** A model read from Hugging Face's files: its architecture and its parameters under this program's names. */
  public record Model(GPTConfig config, Map<String, INDArray> parameters) {}

  /**
   * The architecture of {@code config.json}: {@code n_layer}, {@code n_head}, {@code n_embd},
   * {@code n_positions} (the block size), {@code vocab_size}, {@code layer_norm_epsilon} (HF's default
   * 1e-5 when absent); refuses what this program does not implement. Other keys (token ids, task
   * parameters, dropout rates) are not part of the architecture and are ignored.
   */
  public static GPTConfig readConfig(Path file) {
    JsonNode root = readJson(file);
    String model = optionalText(root, file, "model_type", "gpt2");
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
    String activation = optionalText(root, file, "activation_function", "gelu_new");
    if (!TANH_GELU.contains(activation)) {
      throw new CheckpointException(file + ": activation_function \"" + activation + "\" is not implemented (only"
          + " GPT-2's tanh GELU, gelu_new)");
    }
    requireFlag(root, file, "scale_attn_weights", true);
    requireFlag(root, file, "scale_attn_by_inverse_layer_idx", false);
    requireFlag(root, file, "reorder_and_upcast_attn", false);
    requireFlag(root, file, "add_cross_attention", false);
    int nEmbd = integer(root, file, "n_embd");
    JsonNode nInner = root.get("n_inner");
    if (nInner != null && !nInner.isNull() && !(nInner.isInt() && nInner.intValue() == 4 * nEmbd)) {
      throw new CheckpointException(file + ": n_inner " + nInner + " is not implemented (the MLP is 4 * n_embd = "
          + 4 * nEmbd + " wide)");
    }
    double eps = 1e-5;
    JsonNode epsNode = root.get("layer_norm_epsilon");
    if (epsNode != null) {
      if (!epsNode.isNumber()) {
        throw new CheckpointException(file + ": layer_norm_epsilon must be a number, got " + epsNode);
      }
      eps = epsNode.doubleValue();
    }
    try {
      return new GPTConfig(integer(root, file, "vocab_size"), integer(root, file, "n_positions"),
          integer(root, file, "n_layer"), integer(root, file, "n_head"), nEmbd, PositionalEncoding.LEARNED,
          true, true, 0.0).withNorm(NormKind.LAYERNORM, eps);
    } catch (ModelConfigException e) {
      throw new CheckpointException(file + ": " + e.getMessage().replace("block_size", "n_positions")
          .replace("norm_eps ", "layer_norm_epsilon "), e);
    }
  }

  /**
   * Reads {@code dir/config.json} and {@code dir/model.safetensors}: every tensor's name, dtype and
   * shape is checked against the architecture before any value is read; then the values, and the
   * head's equality with the embedding.
   */
  public static Model read(Path dir) {
    Path configFile = dir.resolve(CONFIG);
    Path weightsFile = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(configFile)) {
      throw new CheckpointException(dir + " has no " + CONFIG + " (a Hugging Face model directory holds "
          + CONFIG + " and " + WEIGHTS + ")");
    }
    if (!Files.isRegularFile(weightsFile)) {
      String why = Files.exists(dir.resolve("pytorch_model.bin"))
          ? " (pytorch_model.bin is a pickle and is not read: download " + WEIGHTS + ")" : "";
      throw new CheckpointException(dir + " has no " + WEIGHTS + why);
    }
    GPTConfig config = readConfig(configFile);
    List<Gpt2Names.Row> table = Gpt2Names.table(config);
    try (SafetensorsFile file = SafetensorsFile.open(weightsFile)) {
      String prefix = prefix(file);
      Set<String> expected = new TreeSet<>();
      for (Gpt2Names.Row row : table) {
        String name = prefix + row.hf();
        expected.add(name);
        if (!file.contains(name)) {
          throw new CheckpointException(weightsFile + ": tensor '" + name + "' is missing (" + CONFIG + " says "
              + config.nLayer() + " layers of width " + config.nEmbd() + ")");
        }
        requireShape(file, name, row.hfShape());
      }
      boolean head = file.contains(Gpt2Names.LM_HEAD);
      if (head) requireShape(file, Gpt2Names.LM_HEAD, new long[] {config.vocabSize(), config.nEmbd()});
      for (String name : file.names()) {
        boolean known = expected.contains(name) || name.equals(Gpt2Names.LM_HEAD)
            || (name.startsWith(prefix) && Gpt2Names.isBuffer(name.substring(prefix.length())));
        if (!known) {
          throw new CheckpointException(weightsFile + ": tensor '" + name + "' is not part of GPT-2's "
              + config.nLayer() + "-layer GPT2LMHeadModel (not read)");
        }
      }

      Map<String, INDArray> parameters = new LinkedHashMap<>();
      float[] wte = null;
      for (Gpt2Names.Row row : table) {
        float[] values = file.floats(prefix + row.hf());
        if (row.hf().equals(Gpt2Names.WTE)) wte = values;
        List<float[]> parts = split(values, row.ours().size(), row.ourShape()[row.ourShape().length - 1]);
        for (int k = 0; k < parts.size(); k++) {
          parameters.put(row.ours().get(k), Nd4j.create(parts.get(k), row.ourShape(), 'c'));
        }
      }
      if (head) requireTied(weightsFile, file.floats(Gpt2Names.LM_HEAD), wte, prefix, config.nEmbd());
      return new Model(config, parameters);
    }
  }

  /**
   * Writes {@code dir/model.safetensors} and {@code dir/config.json} as {@code
   * GPT2LMHeadModel.save_pretrained} does (tensors under {@code transformer.}, the tied head left out,
   * metadata {@code format: pt}). {@code endOfText} is the tokenizer's end-of-text id, written as
   * {@code bos_token_id} and {@code eos_token_id} when present. A model of another architecture is
   * refused by {@link #requireGpt2Architecture}.
   */
  public static void write(Path dir, GPTConfig config, Map<String, INDArray> parameters, OptionalInt endOfText) {
    requireGpt2Architecture(config);
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    for (Gpt2Names.Row row : Gpt2Names.table(config)) {
      float[][] parts = new float[row.ours().size()][];
      for (int k = 0; k < parts.length; k++) {
        INDArray p = parameters.get(row.ours().get(k));
        if (p == null || !Arrays.equals(p.shape(), row.ourShape())) {
          throw new IllegalArgumentException("parameter " + row.ours().get(k) + " is "
              + (p == null ? "missing" : "of shape " + Arrays.toString(p.shape())) + ", expected "
              + Arrays.toString(row.ourShape()));
        }
        parts[k] = p.castTo(DataType.FLOAT).dup('c').data().asFloat();
      }
      long width = row.ourShape()[row.ourShape().length - 1];
      tensors.put(Gpt2Names.PREFIX + row.hf(), new SafetensorsWriter.Tensor(row.hfShape(), join(parts, width)));
    }
    SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
    writeConfig(dir.resolve(CONFIG), config, endOfText);
  }

  /** A CheckpointException of one line unless the model has GPT-2's architecture. */
  public static void requireGpt2Architecture(GPTConfig c) {
    if (!c.bias() || !c.tieEmbeddings() || c.positionalEncoding() != PositionalEncoding.LEARNED) {
      throw new CheckpointException("only a model of GPT-2's architecture (bias: true, tie_embeddings: true,"
          + " positional_encoding: learned) has a Hugging Face GPT-2 form; this one has bias: " + c.bias()
          + ", tie_embeddings: " + c.tieEmbeddings() + ", positional_encoding: "
          + c.positionalEncoding().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (c.norm() != NormKind.LAYERNORM || c.mlp() != MlpKind.GELU || c.mlpHidden() != 4 * c.nEmbd()
        || c.nKvHead() != c.nHead() || c.qkNorm() || c.logitSoftcap() != 0.0) {
      throw new CheckpointException("only a model of GPT-2's blocks has a Hugging Face GPT-2 form; this one has "
          + c.blocksSummary());
    }
  }

  static void writeConfig(Path file, GPTConfig c, OptionalInt endOfText) {
    ObjectNode n = JSON.createObjectNode();
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

  /** "transformer." when the state dict is GPT2LMHeadModel's, "" when GPT2Model's; a mixture is refused. */
  private static String prefix(SafetensorsFile file) {
    long with = file.names().stream().filter(n -> n.startsWith(Gpt2Names.PREFIX)).count();
    long without = file.names().stream().filter(n -> !n.startsWith(Gpt2Names.PREFIX) && !n.equals(Gpt2Names.LM_HEAD))
        .count();
    if (with > 0 && without > 0) {
      String odd = file.names().stream().filter(n -> !n.startsWith(Gpt2Names.PREFIX) && !n.equals(Gpt2Names.LM_HEAD))
          .findFirst().orElseThrow();
      throw new CheckpointException(file.path() + ": tensor '" + odd + "' lacks the prefix '" + Gpt2Names.PREFIX
          + "' that " + with + " other tensors have");
    }
    return with > 0 ? Gpt2Names.PREFIX : "";
  }

  private static void requireShape(SafetensorsFile file, String name, long[] shape) {
    file.requireFloat(name);
    long[] actual = file.entry(name).shape();
    if (!Arrays.equals(actual, shape)) {
      throw new CheckpointException(file.path() + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
          + ", expected " + Arrays.toString(shape) + " from " + CONFIG);
    }
  }

  private static void requireTied(Path file, float[] head, float[] wte, String prefix, int nEmbd) {
    for (int i = 0; i < head.length; i++) {
      if (Float.floatToIntBits(head[i]) != Float.floatToIntBits(wte[i])) {
        throw new CheckpointException(file + ": tensor '" + Gpt2Names.LM_HEAD + "' differs from '" + prefix
            + Gpt2Names.WTE + "' (at [" + i / nEmbd + ", " + i % nEmbd + "]: " + head[i] + " against " + wte[i]
            + "); an untied head is not implemented");
      }
    }
  }

  /** [..., k*n] in C order -> k arrays [..., n]: the column blocks side by side. */
  static List<float[]> split(float[] values, int k, long n) {
    if (k == 1) return List.of(values);
    int w = (int) n;
    int rows = values.length / (k * w);
    float[][] parts = new float[k][rows * w];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < k; j++) {
        System.arraycopy(values, (r * k + j) * w, parts[j], r * w, w);
      }
    }
    return Arrays.asList(parts);
  }

  /** The inverse of {@link #split}. */
  static float[] join(float[][] parts, long n) {
    if (parts.length == 1) return parts[0];
    int k = parts.length;
    int w = (int) n;
    int rows = parts[0].length / w;
    float[] out = new float[rows * k * w];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < k; j++) {
        System.arraycopy(parts[j], r * w, out, (r * k + j) * w, w);
      }
    }
    return out;
  }

  private static JsonNode readJson(Path file) {
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

  private static int integer(JsonNode root, Path file, String key) {
    JsonNode v = root.get(key);
    if (v == null || !v.isInt()) {
      throw new CheckpointException(file + ": key '" + key + "' must be an integer, got " + v);
    }
    return v.intValue();
  }

  private static String optionalText(JsonNode root, Path file, String key, String fallback) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isTextual()) throw new CheckpointException(file + ": key '" + key + "' must be a string, got " + v);
    return v.textValue();
  }

  private static void requireFlag(JsonNode root, Path file, String key, boolean implemented) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return; // HF's default is what this program implements
    if (!v.isBoolean()) throw new CheckpointException(file + ": key '" + key + "' must be true or false, got " + v);
    if (v.booleanValue() != implemented) {
      throw new CheckpointException(file + ": " + key + " = " + v.booleanValue() + " is not implemented (only "
          + implemented + ")");
    }
  }
}
