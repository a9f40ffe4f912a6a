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
 * Reads and writes a Hugging Face Llama model directory: {@code config.json} ({@link LlamaConfig}) and
 * {@code model.safetensors} ({@code LlamaForCausalLM}'s state dict, SmolLM2's and TinyLlama's layout),
 * mapped through {@link LlamaNames}.
 *
 * <p>Llama is this program's architecture with {@code positional_encoding: rope}, {@code norm:
 * rmsnorm}, {@code mlp: swiglu}, {@code bias: false} and any {@code n_kv_head}, tied or not. Reading
 * validates everything first: the config (refusals in {@link LlamaConfig}) and every tensor (missing,
 * extra, wrong shape or dtype, a tied config with an {@code lm_head.weight} that differs from the
 * embedding) is refused with one line naming the file and the tensor, before any value is read.
 */
public final class LlamaCheckpoint {
  private LlamaCheckpoint() {}

  /** The architecture of a Llama {@code config.json}. */
  public static GPTConfig readConfig(Path file) {
    return LlamaConfig.read(file);
  }

  /** Reads {@code dir/config.json} and {@code dir/model.safetensors}, shapes checked before values. */
  public static Gpt2Checkpoint.Model read(Path dir) {
    Path weightsFile = dir.resolve(Gpt2Checkpoint.WEIGHTS);
    GPTConfig config = readConfig(dir.resolve(Gpt2Checkpoint.CONFIG));
    List<LlamaNames.Row> table = LlamaNames.table(config);
    try (SafetensorsFile file = SafetensorsFile.open(weightsFile)) {
      String prefix = file.contains(LlamaNames.EMBED) && !file.contains(LlamaNames.PREFIX + LlamaNames.EMBED)
          ? "" : LlamaNames.PREFIX;
      Set<String> expected = new TreeSet<>();
      for (LlamaNames.Row row : table) {
        String name = LlamaNames.inFile(row, prefix);
        expected.add(name);
        if (!file.contains(name)) {
          throw new CheckpointException(weightsFile + ": tensor '" + name + "' is missing (" + Gpt2Checkpoint.CONFIG
              + " says " + config.nLayer() + " layers of width " + config.nEmbd()
              + (row.hf().equals(LlamaNames.LM_HEAD) ? ", tie_word_embeddings false" : "") + ")");
        }
        requireShape(file, name, row.hfShape());
      }
      boolean tiedHead = config.tieEmbeddings() && file.contains(LlamaNames.LM_HEAD);
      if (tiedHead) requireShape(file, LlamaNames.LM_HEAD, new long[] {config.vocabSize(), config.nEmbd()});
      for (String name : file.names()) {
        boolean known = expected.contains(name) || (tiedHead && name.equals(LlamaNames.LM_HEAD))
            || (name.startsWith(prefix) && LlamaNames.isBuffer(name.substring(prefix.length())));
        if (!known) {
          throw new CheckpointException(weightsFile + ": tensor '" + name + "' is not part of the "
              + config.nLayer() + "-layer LlamaForCausalLM that " + Gpt2Checkpoint.CONFIG + " describes (not read)");
        }
      }

      Map<String, INDArray> parameters = new LinkedHashMap<>();
      for (LlamaNames.Row row : table) {
        float[] values = file.floats(LlamaNames.inFile(row, prefix));
        INDArray a = Nd4j.create(values, row.hfShape(), 'c');
        parameters.put(row.ours(), row.transposed() ? a.transpose().dup('c') : a);
      }
      if (tiedHead) {
        requireEqual(weightsFile, file.floats(LlamaNames.LM_HEAD),
            parameters.get(minitransformer.framework.Names.WTE).data().asFloat(), prefix, config.nEmbd());
      }
      return new Gpt2Checkpoint.Model(config, parameters);
    }
  }

  /**
   * Writes {@code dir/model.safetensors} and {@code dir/config.json} as {@code
   * LlamaForCausalLM.save_pretrained} does (tensors under {@code model.}, {@code lm_head.weight} only
   * when untied, metadata {@code format: pt}). A model of another architecture is refused by {@link
   * #requireLlamaArchitecture}.
   */
  public static void write(Path dir, GPTConfig config, Map<String, INDArray> parameters, OptionalInt endOfText) {
    requireLlamaArchitecture(config);
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    for (LlamaNames.Row row : LlamaNames.table(config)) {
      INDArray p = parameters.get(row.ours());
      if (p == null || !Arrays.equals(p.shape(), row.ourShape())) {
        throw new IllegalArgumentException("parameter " + row.ours() + " is "
            + (p == null ? "missing" : "of shape " + Arrays.toString(p.shape())) + ", expected "
            + Arrays.toString(row.ourShape()));
      }
      INDArray f = p.castTo(DataType.FLOAT);
      float[] values = (row.transposed() ? f.transpose() : f).dup('c').data().asFloat();
      tensors.put(LlamaNames.inFile(row, LlamaNames.PREFIX), new SafetensorsWriter.Tensor(row.hfShape(), values));
    }
    SafetensorsWriter.write(dir.resolve(Gpt2Checkpoint.WEIGHTS), tensors, Map.of("format", "pt"));
    LlamaConfig.write(dir.resolve(Gpt2Checkpoint.CONFIG), config, endOfText);
  }

  /** Whether a model has Llama's architecture (rope, rmsnorm, swiglu, no biases, no QK-norm, no cap). */
  public static boolean isLlamaArchitecture(GPTConfig c) {
    return !c.bias() && c.positionalEncoding() == PositionalEncoding.ROPE && c.norm() == NormKind.RMSNORM
        && c.mlp() == MlpKind.SWIGLU && !c.qkNorm() && c.logitSoftcap() == 0.0;
  }

  /** A CheckpointException of one line unless the model has Llama's architecture. */
  public static void requireLlamaArchitecture(GPTConfig c) {
    if (!isLlamaArchitecture(c)) {
      throw new CheckpointException("only a model of Llama's architecture (bias: false, positional_encoding: rope,"
          + " norm: rmsnorm, mlp: swiglu, no qk_norm, no logit_softcap) has a Hugging Face Llama form; this one has"
          + " bias: " + c.bias() + ", " + c.blocksSummary());
    }
  }

  private static void requireShape(SafetensorsFile file, String name, long[] shape) {
    file.requireFloat(name);
    long[] actual = file.entry(name).shape();
    if (!Arrays.equals(actual, shape)) {
      throw new CheckpointException(file.path() + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
          + ", expected " + Arrays.toString(shape) + " from " + Gpt2Checkpoint.CONFIG);
    }
  }

  private static void requireEqual(Path file, float[] head, float[] embed, String prefix, int nEmbd) {
    for (int i = 0; i < head.length; i++) {
      if (Float.floatToIntBits(head[i]) != Float.floatToIntBits(embed[i])) {
        throw new CheckpointException(file + ": tensor '" + LlamaNames.LM_HEAD + "' differs from '" + prefix
            + LlamaNames.EMBED + "' (at [" + i / nEmbd + ", " + i % nEmbd + "]) but " + Gpt2Checkpoint.CONFIG
            + " says tie_word_embeddings true");
      }
    }
  }
}
