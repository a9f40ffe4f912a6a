package minitransformer.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.TokenizerSpec;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.AtomicText;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelLoader;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigException;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.Schema;
import minitransformer.training.config.TrainingSection;
import minitransformer.training.memory.AvailableMemory;
import minitransformer.training.memory.MemoryEstimate;
import minitransformer.training.metrics.LossCurve;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.optim.Optimizer;

/**
 * Everything a training session works on, set up either fresh from a config or from a checkpoint:
 * the resolved config, the corpus with its tokenizer, the model, the optimizer and the loop state.
 */
public final class TrainingRun {
  /** The resolved config's file name in the run directory. */
  public static final String CONFIG_FILE = "config.yaml";

  private final Config config;
  private final String resolvedYaml;
  private final Path runDirectory;
  private final Corpus corpus;
  private final GPT model;
  private final Optimizer optimizer;
  private final LoopState state;
  private final Path resumedFrom;
  private final double elapsedSecondsBefore;

  private TrainingRun(
      Config config, Path runDirectory, Corpus corpus, GPT model, Optimizer optimizer, LoopState state,
      Path resumedFrom, double elapsedSecondsBefore) {
    this.config = config;
    this.resolvedYaml = config.toYaml();
    this.runDirectory = runDirectory;
    this.corpus = corpus;
    this.model = model;
    this.optimizer = optimizer;
    this.state = state;
    this.resumedFrom = resumedFrom;
    this.elapsedSecondsBefore = elapsedSecondsBefore;
  }

  /** The corpus of a config, tokenized (the tokenizer fitted to it). */
  public static Corpus loadCorpus(Config config) {
    if (config.training().initFrom() != null) {
      return InitFrom.corpus(config); // the checkpoint's tokenizer
    }
    return Corpus.load(
        config.data().path(),
        config.data().tokenizerSpec(),
        config.data().trainFraction(),
        config.model().blockSize());
  }

  /**
   * A fresh run. Refuses a run directory that already holds checkpoints (resume it, or choose
   * another name), so a new run never mixes its checkpoints with an old one's.
   */
  public static TrainingRun start(Config config) {
    return start(config, AvailableMemory.SYSTEM);
  }

  /** As {@link #start(Config)}, refusing a model estimated to need more than memory holds. */
  public static TrainingRun start(Config config, AvailableMemory memory) {
    Path runDirectory = config.runDirectory();
    refuseExistingCheckpoints(runDirectory);
    if (config.training().initFrom() != null) {
      return InitFrom.start(config, memory);
    }
    Corpus corpus = loadCorpus(config);
    TrainingSection t = config.training();
    GPTConfig architecture = config.model().toGptConfig(corpus.tokenizer().vocabSize());
    refuseTooLarge(architecture, t, memory);
    GPT model = GPT.create(architecture, t.seed());
    Optimizer optimizer = t.optimizerFor(model);
    return new TrainingRun(
        config, runDirectory, corpus, model, optimizer, LoopState.fresh(t.seed()), null, 0);
  }

  /** A fresh run of a model built elsewhere (InitFrom): a fresh optimizer, step 0. */
  static TrainingRun fresh(Config config, Corpus corpus, GPT model) {
    TrainingSection t = config.training();
    return new TrainingRun(config, config.runDirectory(), corpus, model, t.optimizerFor(model),
        LoopState.fresh(t.seed()), null, 0);
  }

  /**
   * A run continued from a checkpoint (or a run directory's latest): architecture, tokenizer,
   * weights, optimizer state, step and random states from the checkpoint; loop settings may change
   * through overrides, but not the optimizer whose state the checkpoint holds.
   */
  public static TrainingRun resume(Path checkpointOrRun, List<String> overrides, Consumer<String> warnings) {
    return resume(checkpointOrRun, overrides, warnings, AvailableMemory.SYSTEM);
  }

  /** As {@link #resume(Path, List, Consumer)}, refusing a model estimated to need more than memory holds. */
  public static TrainingRun resume(
      Path checkpointOrRun, List<String> overrides, Consumer<String> warnings, AvailableMemory memory) {
    CheckpointStore.Loaded loaded = CheckpointStore.loadFound(checkpointOrRun, warnings);
    Path checkpoint = loaded.directory();
    TrainingState saved = loaded.state();
    Tokenizer tokenizer = Tokenizers.fromJson(saved.tokenizerJson());
    Config config =
        ConfigLoader.forResume(saved.resolvedConfigYaml(), checkpoint.toString(), overrides);
    refuseOtherOptimizer(saved, config.training(), checkpoint);
    Corpus corpus =
        Corpus.load(
            config.data().path(), tokenizer, config.data().trainFraction(), config.model().blockSize());
    TrainingSection t = config.training();
    GPTConfig architecture = saved.model(); // the architecture comes from the checkpoint
    refuseTooLarge(architecture, t, memory);
    GPT model = ModelLoader.build(architecture, saved.parameters(),
        checkpoint.resolve(CheckpointStore.MODEL_FILE).toString(), AvailableMemory.UNKNOWN); // refused above
    Optimizer optimizer = t.optimizerFor(model);
    optimizer.restore(saved.optimizerState(), saved.optimizerStep());
    Path runDirectory = checkpoint.toAbsolutePath().getParent();
    double elapsed = MetricsLog.lastElapsed(runDirectory.resolve(MetricsLog.FILE));
    return new TrainingRun(
        config, runDirectory, corpus, model, optimizer, LoopState.of(saved), checkpoint, elapsed);
  }

  /** A checkpoint's optimizer state resumes only the optimizer that wrote it: one line otherwise. */
  private static void refuseOtherOptimizer(TrainingState saved, TrainingSection t, Path checkpoint) {
    if (saved.optimizer() != t.optimizer()) {
      throw new ConfigException(
          Schema.OPTIMIZER.path() + " " + t.optimizer().configName() + " cannot resume " + checkpoint
              + ": it holds the state of " + saved.optimizer().configName() + " (resume with "
              + Schema.OPTIMIZER.path() + "=" + saved.optimizer().configName() + ", or start a new run)");
    }
  }

  /**
   * Refuses (one line, before any graph is built) a model whose training step is estimated to need more
   * memory than is available, so that the kernel's out-of-memory killer never has to stop it.
   */
  static void refuseTooLarge(GPTConfig architecture, TrainingSection t, AvailableMemory memory) {
    MemoryEstimate estimate = MemoryEstimate.forTraining(architecture, t.batchSize(), t.workers());
    estimate.refuseAbove(memory, "this run", estimate.lowerKeys());
  }

  /**
   * Whether dir is a run directory whose run stopped before its first checkpoint: it holds the resolved
   * config.yaml but no checkpoint (with the default checkpoint_interval, the first minutes of a run).
   */
  public static boolean stoppedBeforeFirstCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG_FILE))
        && !Files.exists(dir.resolve(CheckpointStore.META_FILE))
        && !CheckpointStore.holdsCheckpoints(dir);
  }

  /**
   * A run that {@link #stoppedBeforeFirstCheckpoint stopped before its first checkpoint}, started again
   * from step 0 with its saved config.yaml (and overrides), in the same directory.
   */
  public static TrainingRun restart(Path runDirectory, List<String> overrides, AvailableMemory memory) {
    Path dir = runDirectory.toAbsolutePath().normalize();
    List<String> all = new java.util.ArrayList<>(overrides);
    all.add(Schema.OUT_DIR.setTo(dir.getParent())); // where it is now, should it have moved
    all.add(Schema.NAME.setTo(dir.getFileName()));
    return start(ConfigLoader.load(dir.resolve(CONFIG_FILE), all, InitFrom.CHECKPOINTS), memory);
  }

  private static void refuseExistingCheckpoints(Path runDirectory) {
    CheckpointStore.firstCheckpoint(runDirectory).ifPresent(step -> {
      throw new ConfigException(
          runDirectory
              + " already holds checkpoints ("
              + step.getFileName()
              + "); continue that run with `train --resume "
              + runDirectory
              + "`, or start a new one under another name with --run NAME");
    });
  }

  /**
   * Writes the resolved config into the run directory: unchanged text is not rewritten, and new text
   * replaces the old atomically, so a failed write (a full disk) leaves the old file whole and no
   * temporary file behind.
   */
  public Path writeResolvedConfig() {
    Path file = runDirectory.resolve(CONFIG_FILE);
    String text = resolvedYaml + "# vocab_size: " + corpus.tokenizer().vocabSize() + " (from the data)\n";
    try {
      Files.createDirectories(runDirectory);
      if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
        return file;
      }
      AtomicText.write(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }

  /** The state to checkpoint now (live arrays; the store writes them before the next step). */
  TrainingState snapshot() {
    return state.toTrainingState(
        model.config(),
        resolvedYaml,
        Tokenizers.toJson(corpus.tokenizer()),
        model.parameters(),
        optimizer);
  }

  public Config config() {
    return config;
  }

  public Path runDirectory() {
    return runDirectory;
  }

  public Corpus corpus() {
    return corpus;
  }

  public GPT model() {
    return model;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public LoopState state() {
    return state;
  }

  /** Whether this session starts at step 0 of a new run (it then evaluates the untrained model). */
  public boolean fresh() {
    return resumedFrom == null;
  }

  /** The checkpoint this session resumed from, null for a fresh run. */
  public Path resumedFrom() {
    return resumedFrom;
  }

  public double elapsedSecondsBefore() {
    return elapsedSecondsBefore;
  }

  /** The loss curve's title: the run's name and the config's key sizes. */
  public String lossCurveTitle() {
    return LossCurve.title(config, corpus.tokenizer().kind(), corpus.tokenizer().vocabSize());
  }

  public boolean characterLevel() {
    return TokenizerSpec.CHAR.equals(corpus.tokenizer().kind());
  }
}
