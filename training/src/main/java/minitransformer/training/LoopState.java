package minitransformer.training;

import java.util.Map;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a run stands between steps: the step count, tokens consumed, the three random streams
 * (train batches, evaluation batches, dropout seeds) and the losses to remember. Together with the
 * model and the optimizer it is everything a checkpoint must hold to resume exactly.
 */
public final class LoopState {
  /** Salts that make the evaluation and dropout streams differ from the batch stream of the same seed. */
  private static final long EVAL_SALT = 0x5EED_E7A1_0000_0001L;

  private static final long DROPOUT_SALT = 0x5EED_D40B_0000_0002L;

  long step;
  long tokensSeen;
  final SplitMix64 batchRng;
  final SplitMix64 evalRng;
  final SplitMix64 dropoutRng;
  double bestValLoss = Double.NaN;
  double lastTrainLoss = Double.NaN;
  double lastValLoss = Double.NaN;

  private LoopState(long batchRngState, long evalRngState, long dropoutRngState) {
    this.batchRng = new SplitMix64(batchRngState);
    this.evalRng = new SplitMix64(evalRngState);
    this.dropoutRng = new SplitMix64(dropoutRngState);
  }

  /** A fresh run: step 0, streams seeded from training.seed. */
  public static LoopState fresh(long seed) {
    return new LoopState(seed, seed ^ EVAL_SALT, seed ^ DROPOUT_SALT);
  }

  /** The loop state of a checkpoint. */
  public static LoopState of(TrainingState saved) {
    LoopState state =
        new LoopState(saved.batchRngState(), saved.evalRngState(), saved.dropoutRngState());
    state.step = saved.step();
    state.tokensSeen = saved.tokensSeen();
    state.bestValLoss = saved.bestValLoss();
    state.lastTrainLoss = saved.lastTrainLoss();
    state.lastValLoss = saved.lastValLoss();
    return state;
  }

  /** A checkpoint of this state with the given model arrays and the optimizer's state (not copied). */
  public TrainingState toTrainingState(
      GPTConfig model,
      String resolvedConfigYaml,
      String tokenizerJson,
      Map<String, INDArray> parameters,
      Optimizer optimizer) {
    return toTrainingState(
        model, resolvedConfigYaml, tokenizerJson, parameters, optimizer.state(), optimizer.stepCount(),
        optimizer.kind());
  }

  /** A checkpoint of this state with the given model arrays and AdamW moments (not copied). */
  public TrainingState toTrainingState(
      GPTConfig model,
      String resolvedConfigYaml,
      String tokenizerJson,
      Map<String, INDArray> parameters,
      Map<String, INDArray> optimizerState,
      long optimizerStep) {
    return toTrainingState(
        model, resolvedConfigYaml, tokenizerJson, parameters, optimizerState, optimizerStep, Optimizer.Kind.ADAMW);
  }

  private TrainingState toTrainingState(
      GPTConfig model,
      String resolvedConfigYaml,
      String tokenizerJson,
      Map<String, INDArray> parameters,
      Map<String, INDArray> optimizerState,
      long optimizerStep,
      Optimizer.Kind optimizer) {
    return new TrainingState(
        step,
        tokensSeen,
        model,
        resolvedConfigYaml,
        tokenizerJson,
        batchRng.state(),
        evalRng.state(),
        dropoutRng.state(),
        bestValLoss,
        lastTrainLoss,
        lastValLoss,
        parameters,
        optimizerState,
        optimizerStep,
        optimizer);
  }

  public long step() {
    return step;
  }

  public long tokensSeen() {
    return tokensSeen;
  }

  public double bestValLoss() {
    return bestValLoss;
  }

  public double lastTrainLoss() {
    return lastTrainLoss;
  }

  public double lastValLoss() {
    return lastValLoss;
  }
}
