package minitransformer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.StepMetrics;
import minitransformer.training.optim.Optimizer;
import minitransformer.training.view.TrainingView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run with training.optimizer muon learns: the loop, the checkpoint and Muon together. */
class MuonTrainingTest {
  @TempDir Path dir;

  @Test
  void aShortMuonRunLowersTheLoss() throws IOException {
    List<Evaluation> muon = train("muon");
    double untrained = muon.get(0).valLoss();
    double trained = muon.get(muon.size() - 1).valLoss();
    System.out.printf(Locale.ROOT, "40 tiny steps with muon, validation loss %.4f -> %.4f%n", untrained, trained);
    // measured: 1.832 -> 1.365 (AdamW with the same settings: 1.235)
    assertTrue(trained < untrained - 0.3, "muon: " + untrained + " -> " + trained);
  }

  private List<Evaluation> train(String optimizer) throws IOException {
    TrainingRun run = TrainingRun.start(TinyRuns.config(dir, "training.optimizer=" + optimizer,
        "training.max_iters=40", "training.lr_decay_iters=40", "training.eval_interval=40", "training.eval_iters=8",
        "training.checkpoint_interval=40"));
    assertEquals(Optimizer.Kind.of(optimizer), run.optimizer().kind());
    List<Evaluation> evaluations = new ArrayList<>();
    TrainingView view = new TrainingView() {
      @Override public void started(long startStep, long maxIters, double elapsedSeconds) {}
      @Override public void stepped(StepMetrics metrics) {}
      @Override public void evaluated(Evaluation evaluation) {
        evaluations.add(evaluation);
      }
      @Override public void note(String line) {}
      @Override public void close() {}
    };
    try (MetricsLog log = MetricsLog.create(run.runDirectory())) {
      Trainer.Result result = new Trainer(run, new CheckpointStore(run.runDirectory(), 2, w -> {}), log, view).train();
      assertEquals(Trainer.Outcome.COMPLETED, result.outcome());
    }
    assertEquals(Optimizer.Kind.of(optimizer), CheckpointStore.load(run.runDirectory(), w -> {}).optimizer());
    assertEquals(2, evaluations.size());
    return evaluations;
  }
}
