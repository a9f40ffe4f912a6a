package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import minitransformer.training.Trainer;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.StepMetrics;
import minitransformer.training.view.QuietView;
import minitransformer.training.view.TrainingView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop during an evaluation abandons it: before the first step nothing is trained and nothing saved;
 * at a later step the checkpoint holds the state before the evaluation, and a resume makes the
 * evaluation first, so the run's losses, evaluations, weights, moments and random states equal an
 * uninterrupted run's.
 */
class StopDuringEvaluationTest {
  @TempDir Path tmp;

  private Config config(String name) throws IOException {
    Files.writeString(tmp.resolve("corpus.txt"), ExactResumeTest.TEXT);
    return ConfigLoader.fromYaml(ExactResumeTest.TINY.formatted(2), "tiny.yaml", tmp, name,
        List.of("run.out_dir=" + tmp.resolve("runs")));
  }

  /** Trains a fresh run, asking it to stop as the view hears of step {@code stopAt} (-1: on start). */
  private static Trainer.Result train(TrainingRun run, long stopAt, List<Evaluation> evaluations) {
    AtomicReference<Trainer> trainer = new AtomicReference<>();
    TrainingView stopper = new TrainingView() {
      @Override public void started(long s, long m, double e) {
        if (stopAt < 0) trainer.get().requestStop();
      }
      @Override public void stepped(StepMetrics m) {
        if (m.iter() == stopAt) trainer.get().requestStop(); // just before that step's evaluation
      }
      @Override public void evaluated(Evaluation e) {
        evaluations.add(e);
      }
      @Override public void note(String line) {}
      @Override public void close() {}
    };
    try (MetricsLog log = MetricsLog.create(run.runDirectory())) {
      trainer.set(new Trainer(run, new CheckpointStore(run.runDirectory(), 2, w -> {}), log, stopper));
      return trainer.get().train();
    }
  }

  private static List<String> evalLines(Path run) {
    return MetricsLog.read(run.resolve(MetricsLog.FILE)).stream()
        .filter(m -> "eval".equals(m.path("type").asText()))
        .map(JsonNode::toString)
        .map(s -> s.replaceAll(",\"elapsed\":[^,}]+", ""))
        .toList();
  }

  @Test
  void aStopDuringTheFirstEvaluationSavesNothingAndSaysSo() throws IOException {
    TrainingRun run = TrainingRun.start(config("early"));
    List<Evaluation> evaluations = new ArrayList<>();
    Trainer.Result r = train(run, -1, evaluations);
    assertEquals(Trainer.Outcome.INTERRUPTED, r.outcome());
    assertEquals(0, r.step(), "no step trained");
    assertNull(r.lastCheckpoint(), "nothing saved");
    assertEquals(List.of(), evaluations, "the evaluation of the untrained model was abandoned");
    assertFalse(CheckpointStore.holdsCheckpoints(run.runDirectory()));
  }

  @Test
  void aStopDuringALaterEvaluationResumesExactly() throws IOException {
    Path straight = ExactResumeTest.train(config("straight"), 0);

    TrainingRun first = TrainingRun.start(config("split"));
    List<Evaluation> evaluations = new ArrayList<>();
    Trainer.Result stopped = train(first, 4, evaluations);
    Path split = first.runDirectory();
    assertEquals(Trainer.Outcome.INTERRUPTED, stopped.outcome());
    assertEquals(4, stopped.step());
    assertEquals(List.of(0L), evaluations.stream().map(Evaluation::iter).toList(),
        "the evaluation at step 4 was abandoned");
    assertEquals(4, CheckpointStore.load(split, w -> {}).step(), "the trained steps were saved");

    TrainingRun resumed = TrainingRun.resume(split, List.of(), w -> {});
    try (MetricsLog log = MetricsLog.continueAfter(split, 4);
        TrainingView view = new QuietView(new PrintWriter(Writer.nullWriter()))) {
      Trainer.Result r = new Trainer(resumed, new CheckpointStore(split, 2, w -> {}), log, view).train();
      assertEquals(Trainer.Outcome.COMPLETED, r.outcome());
    }

    assertEquals(ExactResumeTest.stepLosses(straight), ExactResumeTest.stepLosses(split));
    assertEquals(evalLines(straight), evalLines(split), "the same evaluations, step 4's made on resume");
    TrainingState a = CheckpointStore.load(straight, w -> {});
    TrainingState b = CheckpointStore.load(split, w -> {});
    Checkpoints.assertSameArrays(a.parameters(), b.parameters());
    Checkpoints.assertSameArrays(a.optimizerState(), b.optimizerState());
    assertEquals(a.evalRngState(), b.evalRngState());
    assertEquals(a.batchRngState(), b.batchRngState());
    assertEquals(a.dropoutRngState(), b.dropoutRngState());
    assertEquals(Files.readString(straight.resolve("best")), Files.readString(split.resolve("best")));
  }
}
