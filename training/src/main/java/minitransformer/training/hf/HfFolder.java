package minitransformer.training.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.CheckpointException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model folder as Hugging Face hands it out, of either layout this program reads: GPT-2 ({@link
 * Gpt2Download}) or Llama ({@link LlamaCheckpoint}, with a byte-level BPE {@code tokenizer.json}).
 * {@code config.json}'s {@code model_type} (or, without it, its {@code architectures}) chooses the
 * layout; everything is read and checked, the tokenizer's size against the config included, before
 * the model is built.
 *
 * @param layout which of the two layouts
 * @param config the architecture
 * @param parameters every parameter under this program's names
 * @param tokenizer the model's byte-level BPE tokenizer, id for id
 */
public record HfFolder(Layout layout, GPTConfig config, Map<String, INDArray> parameters, Gpt2Tokenizer tokenizer) {
  /** The layouts read and written, with the {@code source.format} a checkpoint imported from one records. */
  public enum Layout {
    GPT2("huggingface-gpt2", "GPT-2"),
    LLAMA("huggingface-llama", "Llama");

    private final String sourceFormat;
    private final String title;

    Layout(String sourceFormat, String title) {
      this.sourceFormat = sourceFormat;
      this.title = title;
    }

    /** meta.json's {@code source.format} of a checkpoint imported from a folder of this layout. */
    public String sourceFormat() {
      return sourceFormat;
    }

    /** "GPT-2" or "Llama". */
    public String title() {
      return title;
    }
  }

  /** Reads a downloaded model directory; every problem is one line naming the file (nothing is built first). */
  public static HfFolder read(Path dir) {
    Path configFile = configFile(dir);
    if (layoutOf(configFile) == Layout.GPT2) {
      Gpt2Download d = Gpt2Download.read(dir);
      return new HfFolder(Layout.GPT2, d.config(), d.parameters(), d.tokenizer());
    }
    GPTConfig config = LlamaCheckpoint.readConfig(configFile);
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(dir);
    if (tokenizer.vocabSize() != config.vocabSize()) {
      throw new CheckpointException(configFile + ": vocab_size " + config.vocabSize() + " but the tokenizer in "
          + dir + " has " + tokenizer.vocabSize() + " tokens");
    }
    if (!Files.isRegularFile(dir.resolve(Gpt2Checkpoint.WEIGHTS))) {
      throw new CheckpointException(dir + " has no " + Gpt2Checkpoint.WEIGHTS + " (a single-file safetensors"
          + " checkpoint; sharded and pickled weights are not read)");
    }
    Gpt2Checkpoint.Model model = LlamaCheckpoint.read(dir);
    return new HfFolder(Layout.LLAMA, model.config(), model.parameters(), tokenizer);
  }

  /** The architecture config.json describes, read alone (nothing else in the folder is opened). */
  public static GPTConfig readConfig(Path dir) {
    Path configFile = configFile(dir);
    return layoutOf(configFile) == Layout.GPT2
        ? Gpt2Checkpoint.readConfig(configFile) : LlamaCheckpoint.readConfig(configFile);
  }

  private static Path configFile(Path dir) {
    Path configFile = dir.resolve(Gpt2Checkpoint.CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new CheckpointException(dir + " has no " + Gpt2Checkpoint.CONFIG + " (a Hugging Face model directory"
          + " holds " + Gpt2Checkpoint.CONFIG + " and " + Gpt2Checkpoint.WEIGHTS + ")");
    }
    return configFile;
  }

  /** Llama when model_type is "llama" or, without a model_type, an architecture is LlamaForCausalLM. */
  static Layout layoutOf(Path configFile) {
    JsonNode root = HfJson.read(configFile);
    JsonNode type = root.get("model_type");
    if (type != null && type.isTextual()) {
      return type.textValue().equals(LlamaConfig.MODEL_TYPE) ? Layout.LLAMA : Layout.GPT2;
    }
    for (JsonNode a : root.path("architectures")) {
      if (a.isTextual() && a.textValue().startsWith("Llama")) return Layout.LLAMA;
    }
    return Layout.GPT2;
  }

  /**
   * The layout a model can be written in: GPT-2's architecture, or Llama's; any other is refused with
   * one line naming what each needs.
   */
  public static Layout layoutFor(GPTConfig c) {
    if (LlamaCheckpoint.isLlamaArchitecture(c)) return Layout.LLAMA;
    try {
      Gpt2Checkpoint.requireGpt2Architecture(c);
      return Layout.GPT2;
    } catch (CheckpointException e) {
      throw new CheckpointException("only a model of GPT-2's architecture (bias: true, tie_embeddings: true,"
          + " learned positions, GPT-2's blocks) or of Llama's (bias: false, rope, rmsnorm, swiglu, no qk_norm, no"
          + " logit_softcap) has a Hugging Face form; this one has bias: " + c.bias() + ", tie_embeddings: "
          + c.tieEmbeddings() + ", " + c.blocksSummary(), e);
    }
  }

  /**
   * Writes the model of {@code config} into an existing directory in its layout ({@link #layoutFor}),
   * with the tokenizer when there is one: GPT-2's as vocab.json and merges.txt, Llama's as
   * tokenizer.json.
   */
  public static Layout write(Path dir, GPTConfig config, Map<String, INDArray> parameters, Gpt2Tokenizer tokenizer) {
    Layout layout = layoutFor(config);
    if (tokenizer != null && tokenizer.vocabSize() != config.vocabSize()) {
      throw new IllegalArgumentException("the model has " + config.vocabSize() + " tokens, the tokenizer "
          + tokenizer.vocabSize());
    }
    if (layout == Layout.GPT2) {
      if (tokenizer != null && !tokenizer.splitsDigits()) {
        new Gpt2Download(config, parameters, tokenizer).write(dir);
      } else if (tokenizer != null) { // vocab.json and merges.txt cannot say that digits are split
        Gpt2Checkpoint.write(dir, config, parameters, tokenizer.endOfText());
        saveTokenizerJson(tokenizer, dir);
      } else {
        Gpt2Checkpoint.write(dir, config, parameters, java.util.OptionalInt.empty());
      }
      return layout;
    }
    LlamaCheckpoint.write(dir, config, parameters,
        tokenizer == null ? java.util.OptionalInt.empty() : tokenizer.endOfText());
    if (tokenizer != null) saveTokenizerJson(tokenizer, dir);
    return layout;
  }

  private static void saveTokenizerJson(Gpt2Tokenizer tokenizer, Path dir) {
    try {
      tokenizer.saveTokenizerJson(dir);
    } catch (IOException e) {
      throw new CheckpointException("cannot write the tokenizer into " + dir + ": " + e.getMessage(), e);
    }
  }
}
