package minitransformer.training;

import java.io.PrintWriter;
import java.io.Writer;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.RunLock;
import minitransformer.training.config.Config;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.RunClock;
import minitransformer.training.metrics.RunTiming;
import minitransformer.training.view.QuietView;
import minitransformer.training.view.TrainingView;

/** Training from Java: a new run of a config, as {@code train --quiet} runs it, with nothing printed. */
public final class Training {
  private Training() {}

  /**
   * Trains a new run of the config to training.max_iters. Its run directory is run.out_dir/run.name, or the
   * first free NAME-2, NAME-3, ... when that holds an earlier run ({@link FreshRun}, as {@code train} without
   * {@code --run} chooses); it gets the resolved config.yaml, metrics.jsonl and a checkpoint
   * every training.checkpoint_interval steps, at the end and at each new best validation loss; the result
   * names the last one, and timing.json where the call's wall time went ({@link RunTiming}).
   */
  public static Trainer.Result train(Config config) {
    RunClock clock = RunClock.startingNow("the call of Training.train");
    Config fresh = FreshRun.of(config); // a new run never touches an earlier one
    try (RunLock lock = RunLock.acquire(fresh.runDirectory())) { // the run's one writer
      return train(fresh, clock);
    }
  }

  private static Trainer.Result train(Config config, RunClock clock) {
    TrainingRun run = TrainingRun.start(config);
    run.writeResolvedConfig();
    CheckpointStore store = new CheckpointStore(run.runDirectory(), config.training().keepLast());
    try (MetricsLog log = MetricsLog.create(run.runDirectory());
        TrainingView view = new QuietView(new PrintWriter(Writer.nullWriter()))) {
      Trainer.Result result = new Trainer(run, store, log, view, clock).train();
      clock.stop().write(run.runDirectory());
      return result;
    }
  }
}
