package minitransformer.training;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.DataException;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelLoader;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigException;
import minitransformer.training.config.InitialModel;
import minitransformer.training.config.ModelSection;
import minitransformer.training.config.Schema;
import minitransformer.training.memory.AvailableMemory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A run that starts from a checkpoint's weights ({@code train --init-from}, {@code training.init_from};
 * nanoGPT's {@code init_from}): the architecture, the weights and the tokenizer are the checkpoint's
 * (config/InitialKeys says which keys may be given and how they must agree), the data, schedule,
 * optimizer and run settings the config's. The optimizer starts fresh and the loop at step 0 with the
 * config's seed, in a new run directory; from then on it is a run like any other (its checkpoints resume
 * exactly, and its config.yaml records the checkpoint it started from).
 *
 * <p><b>Cropping.</b> A smaller {@code model.block_size} keeps the first block_size rows of the learned
 * position table (nanoGPT's {@code crop_block_size}): positions 0..block_size-1 keep their vectors, so a
 * sequence that fits gives the cropped model the same logits as the checkpoint's. Sinusoidal, rotary and
 * no positions have no table to crop.
 */
public final class InitFrom {
  private InitFrom() {}

  /** ConfigLoader's reader of training.init_from: the checkpoint's meta.json alone; warnings on stderr. */
  public static final InitialModel CHECKPOINTS = checkpoints(w -> System.err.println("warning: " + w));

  /** As {@link #CHECKPOINTS}, with warnings (a stale marker, a half-written checkpoint) sent to a consumer. */
  public static InitialModel checkpoints(Consumer<String> warnings) {
    return path -> {
      try {
        CheckpointStore.Loaded header = CheckpointStore.loadHeader(path, warnings);
        Tokenizer tokenizer = Tokenizers.fromJson(header.state().tokenizerJson());
        return new InitialModel.Checkpoint(header.directory(), ModelSection.of(header.state().model()),
            tokenizer.kind(), tokenizer.vocabSize());
      } catch (CheckpointException | DataException e) { // one line that names the key too
        throw new ConfigException(Schema.INIT_FROM.path() + ": " + e.getMessage(), e);
      }
    };
  }

  /** The corpus of a config with training.init_from, read with its checkpoint's tokenizer. */
  static Corpus corpus(Config config) {
    Tokenizer tokenizer = Tokenizers.fromJson(
        CheckpointStore.loadHeader(config.training().initFrom(), w -> {}).state().tokenizerJson());
    return Corpus.load(config.data().path(), tokenizer, config.data().trainFraction(), config.model().blockSize());
  }

  /** The new run: the checkpoint's weights (cropped), a fresh optimizer, step 0. */
  static TrainingRun start(Config config, AvailableMemory memory) {
    Path from = config.training().initFrom();
    Consumer<String> warnings = w -> System.err.println("warning: " + w);
    CheckpointStore.Loaded header = CheckpointStore.loadHeader(from, warnings);
    GPTConfig theirs = header.state().model();
    GPTConfig architecture = config.model().toGptConfig(theirs.vocabSize());
    if (!architecture.equals(resized(theirs, architecture.blockSize(), architecture.dropout()))
        || architecture.blockSize() > theirs.blockSize()) {
      throw new ConfigException(Schema.INIT_FROM.path() + " " + from + ": the config's model section ("
          + architecture + ") is not the checkpoint's (" + theirs + "); load the config with"
          + " ConfigLoader.load(file, overrides, InitFrom.CHECKPOINTS), which takes it from the checkpoint");
    }
    TrainingRun.refuseTooLarge(architecture, config.training(), memory); // before any array is read
    CheckpointStore.Loaded loaded = CheckpointStore.loadFound(from, warnings);
    Tokenizer tokenizer = Tokenizers.fromJson(loaded.state().tokenizerJson());
    Corpus corpus = Corpus.load(
        config.data().path(), tokenizer, config.data().trainFraction(), architecture.blockSize());
    GPT model = ModelLoader.build(architecture, cropped(loaded.state().parameters(), architecture),
        loaded.directory().resolve(CheckpointStore.MODEL_FILE).toString(), AvailableMemory.UNKNOWN); // refused above
    return TrainingRun.fresh(config, corpus, model);
  }

  /**
   * A checkpoint's parameters for a model of architecture: the learned position table cut to its first
   * block_size rows when it has more; every other array as it is.
   */
  public static Map<String, INDArray> cropped(Map<String, INDArray> parameters, GPTConfig architecture) {
    INDArray wpe = parameters.get(Names.WPE);
    if (architecture.positionalEncoding() != PositionalEncoding.LEARNED || wpe == null
        || wpe.size(0) <= architecture.blockSize()) {
      return parameters;
    }
    Map<String, INDArray> out = new LinkedHashMap<>(parameters);
    out.put(Names.WPE, wpe.get(NDArrayIndex.interval(0, architecture.blockSize()), NDArrayIndex.all()).dup()); // (T, C)
    return out;
  }

  /** c with another block size and dropout: what a fine-tune's config may change. */
  private static GPTConfig resized(GPTConfig c, int blockSize, double dropout) {
    return new GPTConfig(c.vocabSize(), blockSize, c.nLayer(), c.nHead(), c.nEmbd(), c.positionalEncoding(),
        c.bias(), c.tieEmbeddings(), dropout, c.norm(), c.normEps(), c.mlp(), c.mlpHidden(), c.nKvHead(),
        c.qkNorm(), c.logitSoftcap(), c.ropeTheta());
  }
}
