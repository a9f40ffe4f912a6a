package minitransformer.training.config;

import static minitransformer.training.config.Schema.BATCH_SIZE;
import static minitransformer.training.config.Schema.BETA1;
import static minitransformer.training.config.Schema.BETA2;
import static minitransformer.training.config.Schema.CHECKPOINT_INTERVAL;
import static minitransformer.training.config.Schema.EVAL_AT_START;
import static minitransformer.training.config.Schema.EVAL_INTERVAL;
import static minitransformer.training.config.Schema.EVAL_ITERS;
import static minitransformer.training.config.Schema.GRAD_CLIP;
import static minitransformer.training.config.Schema.INIT_FROM;
import static minitransformer.training.config.Schema.KEEP_LAST;
import static minitransformer.training.config.Schema.LEARNING_RATE;
import static minitransformer.training.config.Schema.LOG_INTERVAL;
import static minitransformer.training.config.Schema.LR_DECAY_ITERS;
import static minitransformer.training.config.Schema.LR_SCHEDULE;
import static minitransformer.training.config.Schema.MAX_ITERS;
import static minitransformer.training.config.Schema.MIN_LR;
import static minitransformer.training.config.Schema.MUON_LEARNING_RATE;
import static minitransformer.training.config.Schema.MUON_MOMENTUM;
import static minitransformer.training.config.Schema.MUON_WEIGHT_DECAY;
import static minitransformer.training.config.Schema.OPTIMIZER;
import static minitransformer.training.config.Schema.SEED;
import static minitransformer.training.config.Schema.WARMUP_ITERS;
import static minitransformer.training.config.Schema.WEIGHT_DECAY;
import static minitransformer.training.config.Schema.WORKERS;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.training.optim.AdamW;
import minitransformer.training.optim.HiddenMatrices;
import minitransformer.training.optim.LearningRateSchedule;
import minitransformer.training.optim.Muon;
import minitransformer.training.optim.Optimizer;

/**
 * The {@code training} section: the loop, the optimizer and the learning-rate schedule (nanoGPT's names
 * and meanings). Iterations count optimizer steps; step s (0-based) uses the schedule's rate at s.
 *
 * @param optimizer AdamW everywhere, or Muon on the blocks' matrices and AdamW on the rest
 * @param muonLearningRate Muon's rate at the schedule's peak (used by muon only)
 * @param muonMomentum Muon's Nesterov momentum (used by muon only)
 * @param muonWeightDecay Muon's decoupled weight decay (used by muon only)
 * @param evalAtStart whether a new run evaluates the untrained model at step 0
 * @param gradClip clip the global gradient norm to this (0 = no clipping)
 * @param checkpointInterval save every this many steps (and at the end, on Ctrl-C and at a new best val loss)
 * @param keepLast how many of the newest checkpoints to keep (the best is always kept)
 * @param workers how many graphs compute a step side by side, each on a slice of the batch and a
 *     thread of its own; the result depends on it (the slices' gradients are summed in a fixed order)
 * @param initFrom the checkpoint or run directory the run starts from (its weights, architecture and
 *     tokenizer), or null for weights drawn from the seed
 */
public record TrainingSection(
    int maxIters,
    int batchSize,
    double learningRate,
    double minLr,
    LearningRateSchedule.Shape lrSchedule,
    int warmupIters,
    int lrDecayIters,
    Optimizer.Kind optimizer,
    double weightDecay,
    double beta1,
    double beta2,
    double muonLearningRate,
    double muonMomentum,
    double muonWeightDecay,
    double gradClip,
    int evalInterval,
    int evalIters,
    boolean evalAtStart,
    int logInterval,
    int checkpointInterval,
    int keepLast,
    long seed,
    int workers,
    Path initFrom) {

  /** More graphs than this only add memory: each takes a thread, and a pass of one sequence is the smallest. */
  public static final int MAX_WORKERS = 64;

  public TrainingSection {
    Check.atLeast(MAX_ITERS, maxIters, 1);
    Check.atLeast(BATCH_SIZE, batchSize, 1);
    Check.positive(LEARNING_RATE, learningRate);
    Check.nonNegative(MIN_LR, minLr);
    Check.notNull(LR_SCHEDULE, lrSchedule);
    // min_lr is where cosine decay ends; a constant schedule never reaches it
    if (lrSchedule == LearningRateSchedule.Shape.COSINE && minLr > learningRate) {
      throw new InvalidValueException(
          MIN_LR, minLr, "must be <= " + LEARNING_RATE.path() + " (" + learningRate + ")", LEARNING_RATE);
    }
    Check.atLeast(WARMUP_ITERS, warmupIters, 0);
    if (lrSchedule == LearningRateSchedule.Shape.COSINE && lrDecayIters <= warmupIters) {
      throw new InvalidValueException(
          LR_DECAY_ITERS,
          lrDecayIters,
          "must be > " + WARMUP_ITERS.path() + " (" + warmupIters + ") for the cosine schedule",
          WARMUP_ITERS,
          MAX_ITERS,
          LR_SCHEDULE);
    }
    Check.notNull(OPTIMIZER, optimizer);
    Check.nonNegative(WEIGHT_DECAY, weightDecay);
    Check.inHalfOpen(BETA1, beta1, 0.0, 1.0);
    Check.inHalfOpen(BETA2, beta2, 0.0, 1.0);
    Check.positive(MUON_LEARNING_RATE, muonLearningRate);
    Check.inHalfOpen(MUON_MOMENTUM, muonMomentum, 0.0, 1.0);
    Check.nonNegative(MUON_WEIGHT_DECAY, muonWeightDecay);
    Check.nonNegative(GRAD_CLIP, gradClip);
    Check.atLeast(EVAL_INTERVAL, evalInterval, 1);
    Check.atLeast(EVAL_ITERS, evalIters, 1);
    Check.atLeast(LOG_INTERVAL, logInterval, 1);
    Check.atLeast(CHECKPOINT_INTERVAL, checkpointInterval, 1);
    Check.atLeast(KEEP_LAST, keepLast, 1);
    Check.atLeast(WORKERS, workers, 1);
    if (workers > MAX_WORKERS) {
      throw new InvalidValueException(WORKERS, workers, "must be <= " + MAX_WORKERS);
    }
  }

  static TrainingSection from(Values v) {
    int maxIters = v.integer(MAX_ITERS);
    return new TrainingSection(
        maxIters,
        v.integer(BATCH_SIZE),
        v.real(LEARNING_RATE),
        v.real(MIN_LR),
        LearningRateSchedule.Shape.valueOf(v.string(LR_SCHEDULE).toUpperCase(Locale.ROOT)),
        v.integer(WARMUP_ITERS),
        v.has(LR_DECAY_ITERS) ? v.integer(LR_DECAY_ITERS) : maxIters,
        Optimizer.Kind.of(v.string(OPTIMIZER)),
        v.real(WEIGHT_DECAY),
        v.real(BETA1),
        v.real(BETA2),
        v.real(MUON_LEARNING_RATE),
        v.real(MUON_MOMENTUM),
        v.real(MUON_WEIGHT_DECAY),
        v.real(GRAD_CLIP),
        v.integer(EVAL_INTERVAL),
        v.integer(EVAL_ITERS),
        v.bool(EVAL_AT_START),
        v.integer(LOG_INTERVAL),
        v.integer(CHECKPOINT_INTERVAL),
        v.integer(KEEP_LAST),
        v.longInteger(SEED),
        v.integer(WORKERS),
        v.has(INIT_FROM) ? v.path(INIT_FROM) : null);
  }

  public LearningRateSchedule schedule() {
    return new LearningRateSchedule(lrSchedule, learningRate, minLr, warmupIters, lrDecayIters);
  }

  /**
   * The optimizer this section names, over a model's live parameters: AdamW on all of them, or Muon on
   * the blocks' weight matrices ({@link HiddenMatrices}) and AdamW, with the same settings, on the rest.
   */
  public Optimizer optimizerFor(GPT model) {
    return switch (optimizer) {
      case ADAMW -> new AdamW(model.parameters(), beta1, beta2, weightDecay);
      case MUON -> {
        HiddenMatrices split = HiddenMatrices.of(model.parameters(), model.config().nLayer());
        yield new Muon(
            split.matrices(),
            new Muon.Settings(muonLearningRate, muonMomentum, muonWeightDecay, learningRate),
            new AdamW(split.rest(), beta1, beta2, weightDecay));
      }
    };
  }

  Map<Key, Object> values() {
    Map<Key, Object> m = new LinkedHashMap<>();
    m.put(MAX_ITERS, maxIters);
    m.put(BATCH_SIZE, batchSize);
    m.put(LEARNING_RATE, learningRate);
    m.put(MIN_LR, minLr);
    m.put(LR_SCHEDULE, lrSchedule.name().toLowerCase(Locale.ROOT));
    m.put(WARMUP_ITERS, warmupIters);
    m.put(LR_DECAY_ITERS, lrDecayIters);
    m.put(OPTIMIZER, optimizer.configName());
    m.put(WEIGHT_DECAY, weightDecay);
    m.put(BETA1, beta1);
    m.put(BETA2, beta2);
    m.put(MUON_LEARNING_RATE, muonLearningRate);
    m.put(MUON_MOMENTUM, muonMomentum);
    m.put(MUON_WEIGHT_DECAY, muonWeightDecay);
    m.put(GRAD_CLIP, gradClip);
    m.put(EVAL_INTERVAL, evalInterval);
    m.put(EVAL_ITERS, evalIters);
    if (!evalAtStart) { // written only when off, so that other runs' configs read as before
      m.put(EVAL_AT_START, false);
    }
    m.put(LOG_INTERVAL, logInterval);
    m.put(CHECKPOINT_INTERVAL, checkpointInterval);
    m.put(KEEP_LAST, keepLast);
    m.put(SEED, seed);
    m.put(WORKERS, workers);
    if (initFrom != null) {
      m.put(INIT_FROM, initFrom);
    }
    return m;
  }
}
