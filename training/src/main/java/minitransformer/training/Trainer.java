package minitransformer.training;

import java.nio.file.Path;
import java.util.Locale;
import minitransformer.datasets.BatchSampler;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.config.TrainingSection;
import minitransformer.training.memory.JavaHeap;
import minitransformer.training.memory.NativeMemory;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.Evaluator;
import minitransformer.training.metrics.LossCurve;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.RunClock;
import minitransformer.training.metrics.RunClock.Part;
import minitransformer.training.metrics.StepMetrics;
import minitransformer.training.metrics.TokensPerByte;
import minitransformer.training.optim.LearningRateSchedule;
import minitransformer.training.step.Replicas;
import minitransformer.training.step.TrainingStep;
import minitransformer.training.view.TrainingView;

/**
 * The training loop. Each step ({@link TrainingStep}): a batch from the train stream, the loss and
 * gradients with a dropout seed from the dropout stream, clipping by global norm, an AdamW update at
 * the schedule's rate. Every eval_interval steps and at the end: an evaluation (its own stream). Every
 * checkpoint_interval steps, at the end, when a stop is requested and when an evaluation improves the
 * best validation loss (marked best): a checkpoint. The loss curve is redrawn at every evaluation and
 * when the run completes. A {@link RunClock} sums where the wall time goes: steps, evaluations,
 * checkpoint saves and loss-curve drawings.
 *
 * <p>Step numbers count completed steps: "step 250" is the state after 250 updates, so a resumed
 * run continues with exactly the batches, dropout masks and evaluations an uninterrupted run would
 * have had.
 */
public final class Trainer {
  public enum Outcome {
    COMPLETED,
    INTERRUPTED
  }

  /**
   * @param lastCheckpoint the checkpoint written last in this session, null if none
   * @param lastEvaluation the last evaluation of this session, null if none
   */
  public record Result(Outcome outcome, long step, Path lastCheckpoint, Evaluation lastEvaluation) {}

  private final TrainingRun run;
  private final CheckpointStore store;
  private final MetricsLog log;
  private final TrainingView view;
  private final RunClock clock;
  private volatile boolean stopRequested;
  private Replicas replicas; // the model's graphs, for one train() call

  /** A trainer whose clock starts now (its setup part is then only the loop's own). */
  public Trainer(TrainingRun run, CheckpointStore store, MetricsLog log, TrainingView view) {
    this(run, store, log, view, RunClock.startingNow("the trainer's creation"));
  }

  /** A trainer that adds its steps, evaluations, saves and drawings to clock, and ends its setup. */
  public Trainer(TrainingRun run, CheckpointStore store, MetricsLog log, TrainingView view, RunClock clock) {
    this.run = run;
    this.store = store;
    this.log = log;
    this.view = view;
    this.clock = clock;
  }

  /**
   * Asks the loop to stop after the current step, abandoning an evaluation under way, and save a
   * checkpoint when a step was trained (safe from any thread).
   */
  public void requestStop() {
    stopRequested = true;
  }

  public Result train() {
    replicas = Replicas.of(run.model(), run.config().training().workers());
    try {
      return trainWithReplicas();
    } finally {
      replicas.close();
    }
  }

  private Result trainWithReplicas() {
    TrainingSection t = run.config().training();
    LoopState state = run.state();
    LearningRateSchedule schedule = t.schedule();
    int B = t.batchSize();
    int T = run.config().model().blockSize();
    TrainingStep trainingStep = TrainingStep.withinActivationBudget(
        replicas, run.optimizer(), new BatchSampler(run.corpus().train(), B, T, state.batchRng), t.gradClip());
    JavaHeap.returnFreeMemoryWhileTraining();
    NativeMemory.keepFreedMemoryMapped();
    Evaluator evaluator =
        new Evaluator(
            run.corpus().train(), run.corpus().validation(), B, T, t.evalIters(), state.evalRng,
            run.characterLevel(), TokensPerByte.of(run.corpus()));
    clock.setupDone(state.step, t.evalIters());

    long sessionStart = System.nanoTime();
    double elapsedBefore = run.elapsedSecondsBefore();
    view.started(state.step, t.maxIters(), elapsedBefore);
    Evaluation lastEvaluation = null;
    Path lastCheckpoint = null;
    if (state.step == 0 && run.fresh() && t.evalAtStart()) {
      lastEvaluation = evaluate(evaluator, elapsedBefore, sessionStart);
      if (lastEvaluation == null) { // stopped before the first step: nothing trained, nothing to save
        return new Result(Outcome.INTERRUPTED, state.step, null, null);
      }
    } else if (evaluationMissing(state.step, t)) {
      // a stop abandoned this step's evaluation; it is made now, and the checkpoint saved again after it,
      // so that the run goes on exactly as if it had never stopped
      double bestBefore = state.bestValLoss;
      lastEvaluation = evaluate(evaluator, elapsedBefore, sessionStart);
      if (lastEvaluation == null) {
        return new Result(Outcome.INTERRUPTED, state.step, null, null);
      }
      lastCheckpoint = save(Double.isNaN(bestBefore) || lastEvaluation.valLoss() < bestBefore);
    }

    double smoothedStepSeconds = Double.NaN;
    double intervalSeconds = 0;
    long intervalTokens = 0;
    while (state.step < t.maxIters()) {
      long stepStart = System.nanoTime();
      double lr = schedule.at(state.step);
      TrainingStep.Result result = trainingStep.run(state.dropoutRng.nextLong(), lr);
      double stepSeconds = clock.add(Part.STEPS, stepStart) / 1e9;
      double loss = result.loss();
      if (!Double.isFinite(loss)) {
        throw diverged("the loss", loss, lr, lastCheckpoint);
      }
      double gradNorm = result.gradNorm();
      if (!Double.isFinite(gradNorm)) {
        throw diverged("the gradient norm", gradNorm, lr, lastCheckpoint);
      }
      state.step++;
      state.tokensSeen += (long) B * T;
      state.lastTrainLoss = loss;

      smoothedStepSeconds =
          Double.isNaN(smoothedStepSeconds) ? stepSeconds : 0.9 * smoothedStepSeconds + 0.1 * stepSeconds;
      intervalSeconds += stepSeconds;
      intervalTokens += (long) B * T;
      double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
      view.stepped(new StepMetrics(state.step, loss, lr, gradNorm, B * T / smoothedStepSeconds, elapsed));
      boolean last = state.step == t.maxIters();
      if (state.step % t.logInterval() == 0 || last) {
        log.step(new StepMetrics(state.step, loss, lr, gradNorm, intervalTokens / intervalSeconds, elapsed));
        intervalSeconds = 0;
        intervalTokens = 0;
      }

      boolean improved = false;
      boolean abandoned = false;
      if (state.step % t.evalInterval() == 0 || last) {
        double bestBefore = state.bestValLoss;
        Evaluation evaluation = evaluate(evaluator, elapsedBefore, sessionStart);
        abandoned = evaluation == null; // a stop: the checkpoint holds the state before it, and a resume makes it
        if (!abandoned) {
          lastEvaluation = evaluation;
          improved = Double.isNaN(bestBefore) || evaluation.valLoss() < bestBefore;
        }
      }
      // nanoGPT's rule: an evaluation that improves the best validation loss is saved at once, so that
      // best always names a checkpoint whose own validation loss is the lowest of the run's evaluations
      if (state.step % t.checkpointInterval() == 0 || last || stopRequested || improved) {
        lastCheckpoint = save(improved);
      }
      if (stopRequested && (!last || abandoned)) {
        return new Result(Outcome.INTERRUPTED, state.step, lastCheckpoint, lastEvaluation);
      }
    }
    drawLossCurve(); // also when there was nothing left to train
    return new Result(Outcome.COMPLETED, state.step, lastCheckpoint, lastEvaluation);
  }

  private Path save(boolean best) {
    long saveStart = System.nanoTime();
    Path checkpoint = store.save(run.snapshot(), best);
    clock.add(Part.CHECKPOINTS, saveStart);
    view.note("saved " + checkpoint + (best ? " (best validation loss so far)" : ""));
    return checkpoint;
  }

  /**
   * Whether a resumed run stands at a step whose evaluation is due but not in its metrics log: a stop
   * abandoned it (the checkpoint was saved before it).
   */
  private boolean evaluationMissing(long step, TrainingSection t) {
    if (run.fresh() || step == 0 || (step % t.evalInterval() != 0 && step != t.maxIters())) {
      return false;
    }
    return MetricsLog.read(log.file()).stream()
        .noneMatch(m -> "eval".equals(m.path("type").asText()) && m.path("iter").asLong(-1) == step);
  }

  /** The run's loss curve, redrawn from its metrics log: the one place that writes it. */
  private void drawLossCurve() {
    clock.time(Part.LOSS_CURVE, () -> LossCurve.write(
        MetricsLog.read(log.file()), run.lossCurveTitle(), run.runDirectory().resolve(LossCurve.FILE)));
  }

  /** An evaluation, logged and shown; null when a stop abandoned it (its random stream is put back). */
  private Evaluation evaluate(Evaluator evaluator, double elapsedBefore, long sessionStart) {
    LoopState state = run.state();
    long streamBefore = state.evalRng.state();
    Evaluation evaluation =
        clock.time(Part.EVALUATIONS, () -> evaluator.evaluate(replicas, state.step, () -> stopRequested));
    if (evaluation == null) {
      state.evalRng.setState(streamBefore);
      view.note("stop requested: the evaluation at step " + state.step + " was abandoned");
      return null;
    }
    double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
    state.lastValLoss = evaluation.valLoss();
    // step 0 (the untrained model) has no checkpoint, so it cannot be the best
    if (state.step > 0 && (Double.isNaN(state.bestValLoss) || evaluation.valLoss() < state.bestValLoss)) {
      state.bestValLoss = evaluation.valLoss();
    }
    log.evaluation(evaluation, elapsed);
    view.evaluated(evaluation);
    // redrawn at every evaluation: the picture is current while training runs and after a Ctrl-C
    drawLossCurve();
    return evaluation;
  }

  private TrainingDivergedException diverged(String what, double value, double lr, Path lastCheckpoint) {
    long step = run.state().step + 1;
    Path lastGood = lastCheckpoint;
    if (lastGood == null) {
      lastGood = run.resumedFrom();
    }
    return new TrainingDivergedException(
        String.format(
            Locale.ROOT,
            "%s became %s at step %d (learning rate %.3g); training stopped without saving. %s"
                + " Try a lower training.learning_rate or a training.grad_clip.",
            what,
            value,
            step,
            lr,
            lastGood == null
                ? "No checkpoint was written in this run."
                : "The last good checkpoint, " + lastGood + ", is untouched."));
  }
}
