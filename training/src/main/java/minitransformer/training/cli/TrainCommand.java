package minitransformer.training.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import minitransformer.datasets.Corpus;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ParameterCount;
import minitransformer.training.AfterTraining;
import minitransformer.training.FreshRun;
import minitransformer.training.InitFrom;
import minitransformer.training.ResumeHistory;
import minitransformer.training.Trainer;
import minitransformer.training.TrainingRun;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.RunLock;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigException;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.Schema;
import minitransformer.training.memory.MemoryEstimate;
import minitransformer.training.metrics.LossCurve;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.RunClock;
import minitransformer.training.metrics.RunTiming;
import minitransformer.training.view.LogView;
import minitransformer.training.view.ProgressBarView;
import minitransformer.training.view.QuietView;
import minitransformer.training.view.TrainingView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}: a config file in, a trained model, its checkpoints, metrics and loss curve out. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a model from a YAML config.",
      "Writes into its run directory (out_dir/NAME): config.yaml,"
          + " metrics.jsonl, step-NNNNNN checkpoints, loss_curve.png and timing.json.",
      "Ends with one line of where the wall time went (steps, evaluations, checkpoints, the sample, setup).",
      "Ctrl-C finishes the current step (an evaluation under way is abandoned), saves a checkpoint if a step"
          + " was trained, says how to continue and exits with 130 (143 for SIGTERM)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:trained (or dry run)",
      "2:bad input: config, data, checkpoint or command line; a model too large for the memory; a file that"
          + " cannot be written (a full disk); a run directory another process is training",
      "3:training diverged (NaN or infinite loss)",
      "130:stopped by Ctrl-C (SIGINT; 143: SIGTERM): a checkpoint was saved, or nothing needed saving (no step"
          + " trained); the output says which and how to continue"
    })
public final class TrainCommand implements Callable<Integer> {
  private final CommandContext context;

  TrainCommand(CommandContext context) {
    this.context = context;
  }

  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin InitFromOption initFrom;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The YAML config (default: configs/default.yaml in the working directory, else in the"
          + " repository the jar was built in).")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "SECTION.KEY=VALUE",
      description = "Override one config key, e.g. --set training.max_iters=4000 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--run", paramLabel = "NAME", description = "The run's name (run.name): its directory under out_dir.")
  String runName;

  @Option(names = "--dry-run", description = "Print the resolved config and the parameter table; train nothing.")
  boolean dryRun;

  @Option(names = "--quiet", description = "Print only the evaluation lines (for logs and CI).")
  boolean quiet;

  @Option(
      names = "--resume",
      paramLabel = "DIR",
      description =
          "Continue a run: its directory (latest checkpoint) or one checkpoint directory. Architecture and"
              + " tokenizer come from the checkpoint; loop settings may change with --set.")
  Path resume;

  /**
   * The config of a fresh run. When its name comes from the config file (no --run, no --set run.name) and that
   * directory already holds an earlier run, the run goes to the first free NAME-2, NAME-3, ... so that running the
   * same command twice never touches the earlier run; an explicitly named run is refused instead.
   */
  private Config freshRunConfig(List<String> overrides, PrintWriter err) {
    Path file = config == null ? defaultConfig(err) : config;
    Config loaded = ConfigLoader.load(file, overrides, InitFrom.checkpoints(w -> err.println("warning: " + w)));
    boolean named = overrides.stream().anyMatch(Schema.NAME::isSetBy);
    if (named) {
      return loaded;
    }
    Config fresh = FreshRun.of(loaded);
    if (!fresh.runDirectory().equals(loaded.runDirectory())) {
      err.println("note: " + displayed(loaded.runDirectory()) + " holds an earlier run; this run writes to "
          + displayed(fresh.runDirectory()) + " (name one with --run NAME)");
    }
    return fresh;
  }

  /** configs/default.yaml here, or in the jar's repository (said on err, since the run goes there too). */
  private static Path defaultConfig(PrintWriter err) {
    Path file = DefaultConfig.locate();
    if (file.isAbsolute()) {
      err.println("note: no " + DefaultConfig.RELATIVE + " here; using " + file + ", found from the jar's location");
    }
    return file;
  }

  /** A progress bar only on a terminal; a log or a pipe gets whole lines instead. */
  private static boolean interactive() {
    return System.console() != null;
  }

  /** The run directory's lock, held from before the run reads or writes it to the end of the command. */
  private RunLock lock;

  @Override
  public Integer call() {
    try {
      return train();
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  private Integer train() {
    RunClock clock = context.runClock();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> allOverrides = new ArrayList<>(initFrom.overrides(resume));
    if (resume != null && config != null) {
      throw new ConfigException(
          "--config and --resume cannot be combined: a resumed run's config comes from its checkpoint"
              + " (change loop settings with --set)");
    }
    if (resume != null && runName != null) {
      throw new ConfigException("--run cannot be combined with --resume: a resumed run keeps its directory");
    }
    allOverrides.addAll(overrides);
    if (runName != null) {
      allOverrides.add(Schema.NAME.setTo(runName));
    }
    if (dryRun) {
      return dryRun(out, allOverrides);
    }
    if (resume != null && java.nio.file.Files.isDirectory(runDirectoryOf(resume))) {
      lock = RunLock.acquire(runDirectoryOf(resume)); // a path that is no run is refused by the resume itself
    }

    TrainingRun run;
    if (resume == null) {
      Config fresh = freshRunConfig(allOverrides, err);
      lock = RunLock.acquire(fresh.runDirectory());
      run = TrainingRun.start(fresh, context.memory());
    } else if (TrainingRun.stoppedBeforeFirstCheckpoint(resume)) {
      err.println("note: " + displayed(resume) + " holds no checkpoint yet (its run stopped before the first);"
          + " starting it again from step 0 with its " + TrainingRun.CONFIG_FILE);
      run = TrainingRun.restart(resume, allOverrides, context.memory());
    } else {
      run = TrainingRun.resume(
          resume, allOverrides, line -> err.println("warning: " + line), context.memory());
      List<ResumeHistory.Change> changes = ResumeHistory.changes(run);
      changes.forEach(c -> err.println("note: changed on resume: " + c.line()));
      ResumeHistory.record(run, changes);
    }
    Config resolved = run.config();
    Path runDirectory = run.runDirectory();
    run.writeResolvedConfig();
    if (!quiet) {
      RunHeader.print(run, out);
    }
    CheckpointStore store =
        new CheckpointStore(runDirectory, resolved.training().keepLast(), line -> err.println("warning: " + line));
    Trainer.Result result;
    try (MetricsLog log =
            run.fresh() ? MetricsLog.create(runDirectory) : MetricsLog.continueAfter(runDirectory, run.state().step());
        TrainingView view = quiet ? new QuietView(out) : interactive() ? new ProgressBarView(out) : new LogView(out)) {
      Trainer trainer = new Trainer(run, store, log, view, clock);
      try (StopOnSignal stop = new StopOnSignal(trainer::requestStop, out)) {
        result = trainer.train();
        view.close();
        if (result.outcome() == Trainer.Outcome.INTERRUPTED) {
          // said first: during a JVM shutdown little else is safe (AWT, for one, may refuse to start)
          StopReport.print(result, run, out);
          reportTime(clock.stop(), runDirectory, out);
          return 130;
        }
        if (run.state().step() >= resolved.training().maxIters() && result.lastCheckpoint() == null && !quiet) {
          out.println(
              "nothing to train: the run is at step " + run.state().step() + " and training.max_iters is "
                  + resolved.training().maxIters() + " (raise it with --set training.max_iters=N)");
        }
        if (!quiet) {
          out.println("wrote " + runDirectory.resolve(LossCurve.FILE));
          clock.time(RunClock.Part.SAMPLE, () -> AfterTraining.show(
              run.model(), run.corpus().tokenizer(), resolved.run(), resolved.training().seed(), out));
        }
        reportTime(clock.stop(), runDirectory, out);
      }
    }
    return 0;
  }

  /** timing.json, and its line last (unless quiet): where this process's wall time went. */
  private void reportTime(RunTiming timing, Path runDirectory, PrintWriter out) {
    timing.write(runDirectory);
    if (!quiet) {
      out.println(timing.line());
    }
    out.flush();
  }

  private Integer dryRun(PrintWriter out, List<String> allOverrides) {
    Config resolved;
    int vocabSize;
    if (resume == null) {
      PrintWriter err = spec.commandLine().getErr();
      resolved = ConfigLoader.load(config == null ? defaultConfig(err) : config, allOverrides,
          InitFrom.checkpoints(w -> err.println("warning: " + w)));
      Corpus corpus = TrainingRun.loadCorpus(resolved);
      vocabSize = corpus.tokenizer().vocabSize();
      out.printf(
          Locale.ROOT, "# data: %s, %s tokenizer, vocabulary %d, %,d train / %,d validation tokens%n",
          resolved.data().path(), corpus.tokenizer().kind(), vocabSize, corpus.trainSize(), corpus.validationSize());
    } else {
      TrainingRun run = TrainingRun.resume(
          resume, allOverrides, line -> out.println("# warning: " + line), context.memory());
      resolved = run.config();
      vocabSize = run.corpus().tokenizer().vocabSize();
      out.println("# resuming " + run.resumedFrom() + " at step " + run.state().step());
      ResumeHistory.changes(run).forEach(c -> out.println("# changed on resume: " + c.line()));
    }
    out.print(resolved.toYaml());
    out.println();
    GPTConfig model = resolved.model().toGptConfig(vocabSize);
    out.println("parameters (vocab_size " + vocabSize + "):");
    out.print(ParameterCount.of(model).table());
    MemoryEstimate memory = MemoryEstimate.forTraining(model, resolved.training().batchSize(), resolved.training().workers());
    out.println("memory: estimated " + memory.describe() + memory.comparedWith(context.memory()));
    out.println("dry run: nothing trained, nothing written");
    out.flush();
    return 0;
  }

  /** The run directory of a --resume argument: a checkpoint's parent, else the directory itself. */
  private static Path runDirectoryOf(Path resume) {
    Path dir = resume.toAbsolutePath().normalize();
    boolean checkpoint = java.nio.file.Files.exists(dir.resolve(CheckpointStore.META_FILE))
        || dir.getFileName() != null && dir.getFileName().toString().matches("step-\\d+");
    return checkpoint && dir.getParent() != null ? dir.getParent() : dir;
  }

  /** A path relative to the working directory when it lies below it (shorter to read and to retype). */
  static String displayed(Path path) {
    Path cwd = Path.of("").toAbsolutePath();
    Path absolute = path.toAbsolutePath().normalize();
    return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
  }
}
