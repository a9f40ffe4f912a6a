package minitransformer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitransformer.datasets.Batch;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.config.Config;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.Evaluator;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.StepMetrics;
import minitransformer.training.metrics.TokensPerByte;
import minitransformer.training.view.TrainingView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

  @TempDir Path dir;

  /** Records what the loop reports, and can ask it to stop after a given step. */
  private static final class RecordingView implements TrainingView {
    final List<StepMetrics> steps = new ArrayList<>();
    final List<Evaluation> evaluations = new ArrayList<>();
    Trainer trainer;
    long stopAfter = Long.MAX_VALUE;

    @Override
    public void started(long startStep, long maxIters, double elapsedSeconds) {}

    @Override
    public void stepped(StepMetrics metrics) {
      steps.add(metrics);
      if (metrics.iter() == stopAfter) {
        trainer.requestStop();
      }
    }

    @Override
    public void evaluated(Evaluation evaluation) {
      evaluations.add(evaluation);
    }

    @Override
    public void note(String line) {}

    @Override
    public void close() {}
  }

  private Trainer.Result train(TrainingRun run, RecordingView view) {
    try (MetricsLog log = MetricsLog.create(run.runDirectory())) {
      Trainer trainer = new Trainer(run, new CheckpointStore(run.runDirectory(), 5, w -> {}), log, view);
      view.trainer = trainer;
      return trainer.train();
    }
  }

  @Test
  void stepsEvaluatesAndCheckpointsOnSchedule() throws IOException {
    TrainingRun run = TrainingRun.start(TinyRuns.config(dir));
    RecordingView view = new RecordingView();
    Trainer.Result result = train(run, view);

    assertEquals(Trainer.Outcome.COMPLETED, result.outcome());
    assertEquals(6, result.step());
    assertEquals(6, view.steps.size());
    assertEquals(List.of(0L, 3L, 6L), view.evaluations.stream().map(Evaluation::iter).toList());
    assertTrue(Files.isDirectory(run.runDirectory().resolve("step-000003")));
    assertTrue(Files.isDirectory(run.runDirectory().resolve("step-000006")));
    assertEquals(6 * 4 * 8, run.state().tokensSeen());
    // the learning rate follows the schedule: warm-up step 0 is lr / 2, the last step is near min_lr
    assertEquals(1e-2 / 2, view.steps.get(0).lr(), 1e-12);
    assertEquals(run.config().training().schedule().at(5), view.steps.get(5).lr(), 0);
    // it learns: the evaluated train loss falls from the untrained ln(V)-ish value
    assertTrue(view.evaluations.get(2).trainLoss() < view.evaluations.get(0).trainLoss() - 0.2,
        view.evaluations.toString());
  }

  @Test
  void evalAtStartOffSkipsOnlyTheUntrainedEvaluation() throws IOException {
    TrainingRun run = TrainingRun.start(TinyRuns.config(dir, "training.eval_at_start=false"));
    RecordingView view = new RecordingView();
    Trainer.Result result = train(run, view);
    assertEquals(Trainer.Outcome.COMPLETED, result.outcome());
    assertEquals(List.of(3L, 6L), view.evaluations.stream().map(Evaluation::iter).toList());
    assertEquals(6L, result.lastEvaluation().iter());
  }

  @Test
  void stopRequestFinishesTheStepAndSavesACheckpoint() throws IOException {
    TrainingRun run = TrainingRun.start(TinyRuns.config(dir));
    RecordingView view = new RecordingView();
    view.stopAfter = 2;
    Trainer.Result result = train(run, view);
    assertEquals(Trainer.Outcome.INTERRUPTED, result.outcome());
    assertEquals(2, result.step());
    assertEquals(run.runDirectory().resolve("step-000002"), result.lastCheckpoint());
    assertEquals(2, CheckpointStore.load(result.lastCheckpoint(), w -> {}).step());
  }

  @Test
  void nanLossStopsWithoutSaving() throws IOException {
    TrainingRun run = TrainingRun.start(TinyRuns.config(dir));
    run.model().parameters().get("wte").assign(Double.NaN);
    TrainingDivergedException e =
        assertThrows(TrainingDivergedException.class, () -> train(run, new RecordingView()));
    assertTrue(e.getMessage().startsWith("the loss became NaN at step 1"), e.getMessage());
    assertTrue(e.getMessage().contains("No checkpoint was written"), e.getMessage());
    try (var entries = Files.list(run.runDirectory())) {
      assertFalse(entries.anyMatch(p -> p.getFileName().toString().startsWith("step-")));
    }
  }

  @Test
  void resumedRunContinuesExactly() throws IOException {
    // uninterrupted: 6 steps
    Path whole = dir.resolve("whole");
    Files.createDirectories(whole);
    TrainingRun straight = TrainingRun.start(TinyRuns.config(whole));
    RecordingView a = new RecordingView();
    train(straight, a);

    // 3 steps, then a new session from the checkpoint for 3 more
    Path split = dir.resolve("split");
    Files.createDirectories(split);
    TrainingRun first = TrainingRun.start(TinyRuns.config(split, "training.max_iters=3"));
    RecordingView b = new RecordingView();
    train(first, b);
    TrainingRun second =
        TrainingRun.resume(first.runDirectory(), List.of("training.max_iters=6"), w -> {});
    assertEquals(3, second.state().step());
    RecordingView c = new RecordingView();
    try (MetricsLog log = MetricsLog.continueAfter(second.runDirectory(), 3)) {
      new Trainer(second, new CheckpointStore(second.runDirectory(), 5, w -> {}), log, c).train();
    }

    List<Double> straightLosses = a.steps.stream().map(StepMetrics::loss).toList();
    List<Double> splitLosses = new ArrayList<>(b.steps.stream().map(StepMetrics::loss).toList());
    splitLosses.addAll(c.steps.stream().map(StepMetrics::loss).toList());
    assertEquals(straightLosses, splitLosses, "every step's loss, bit for bit");
    assertEquals(a.evaluations.get(2), c.evaluations.get(0), "the evaluation at step 6");
    straight.model().parameters().forEach(
        (name, p) -> assertEquals(p, second.model().parameters().get(name), name));
  }

  @Test
  void evaluationIsDropoutFreeAndDeterministic() throws IOException {
    Config config = TinyRuns.config(dir, "model.dropout=0.5");
    TrainingRun run = TrainingRun.start(config);
    GPT withDropout = run.model();
    GPTConfig c = withDropout.config();
    GPT withoutDropout =
        GPT.create(
            new GPTConfig(c.vocabSize(), c.blockSize(), c.nLayer(), c.nHead(), c.nEmbd(),
                c.positionalEncoding(), c.bias(), c.tieEmbeddings(), 0.0),
            1);
    withoutDropout.loadParameters(withDropout.parameters());
    int[] train = run.corpus().train();
    int[] val = run.corpus().validation();

    Evaluation first = new Evaluator(train, val, 4, 8, 3, new SplitMix64(42), true, TokensPerByte.ONE).evaluate(withDropout, 0);
    Evaluation again = new Evaluator(train, val, 4, 8, 3, new SplitMix64(42), true, TokensPerByte.ONE).evaluate(withDropout, 0);
    Evaluation noDropout =
        new Evaluator(train, val, 4, 8, 3, new SplitMix64(42), true, TokensPerByte.ONE).evaluate(withoutDropout, 0);
    assertEquals(first, again, "equal twice");
    assertEquals(noDropout.trainLoss(), first.trainLoss(), 1e-6, "as if there were no dropout");
    assertEquals(noDropout.valLoss(), first.valLoss(), 1e-6);

    // while training, dropout is on: the same batch gives a different loss for another dropout seed
    Batch batch = new BatchSampler(train, 4, 8, new SplitMix64(1)).next();
    double seeded1 = withDropout.lossAndGradients(GPT.idsArray(batch.x(), 4, 8), GPT.idsArray(batch.y(), 4, 8), 1).loss();
    double seeded2 = withDropout.lossAndGradients(GPT.idsArray(batch.x(), 4, 8), GPT.idsArray(batch.y(), 4, 8), 2).loss();
    assertNotEquals(seeded1, seeded2);
  }
}
