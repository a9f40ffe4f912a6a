package minitransformer.training.hf;

import java.nio.file.Files;
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
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes a Hugging Face GPT-2 model directory: {@code config.json} ({@code GPT2Config}) and
 * {@code model.safetensors} ({@code GPT2LMHeadModel}'s state dict), mapped through {@link Gpt2Names};
 * {@link Gpt2Config} reads and writes the {@code config.json}.
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
    return Gpt2Config.read(file);
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
    Gpt2Config.write(dir.resolve(CONFIG), config, endOfText);
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
}
