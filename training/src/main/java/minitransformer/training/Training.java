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
   * Trains a new run of the config to training.max_iters. Its run directory (run.out_dir/run.name),
   * which must not hold checkpoints yet, gets the resolved config.yaml, metrics.jsonl and a checkpoint
   * every training.checkpoint_interval steps, at the end and at each new best validation loss; the result
   * names the last one, and timing.json where the call's wall time went ({@link RunTiming}).
   */
  public static Trainer.Result train(Config config) {
    RunClock clock = RunClock.startingNow("the call of Training.train");
    try (RunLock lock = RunLock.acquire(config.runDirectory())) { // the run's one writer
      return train(config, clock);
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
