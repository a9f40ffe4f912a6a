package minitransformer.training.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.framework.ParameterCount;
import minitransformer.training.Trainer;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.Config;
import minitransformer.training.config.TrainingSection;
import minitransformer.training.memory.AvailableMemory;
import minitransformer.training.memory.JavaHeap;
import minitransformer.training.memory.NativeMemory;
import minitransformer.training.memory.MemoryEstimate;
import minitransformer.training.optim.Optimizer;
import minitransformer.training.step.MicroBatches;
import minitransformer.training.step.Replicas;
import minitransformer.training.step.TrainingStep;

/**
 * Times the training step of a workload: the {@link TrainingStep} that {@link Trainer} runs (a batch
 * from the sampler, the loss and gradients, clipping by global norm, the optimizer's update; the step frees
 * its own native memory, so no System.gc() is needed); then the speed of sampling ({@link
 * GenerationTiming}).
 */
public final class Benchmark {
  private static final String[] PHASES = TrainingStep.Timings.PHASES;

  private final Consumer<String> progress;
  private final int sampleTokens;
  private final int rssEvery;
  private final AvailableMemory memory;
  private final StepListener stepListener;

  /**
   * @param sampleTokens tokens generated per sampling path; negative: twice the block size
   * @param rssEvery record VmRSS after every this many steps (warm-up included; 0: none)
   * @param progress receives one line per phase (for a person watching; the steps go to a StepListener)
   */
  public Benchmark(int sampleTokens, int rssEvery, Consumer<String> progress) {
    this(sampleTokens, rssEvery, progress, (workload, step, steps, ms, loss) -> {}, AvailableMemory.SYSTEM);
  }

  /** Receives every timed step (a progress bar, or a line each with --verbose). */
  @FunctionalInterface
  public interface StepListener {
    void stepped(String workload, int step, int steps, double milliseconds, double loss);
  }

  /**
   * As {@link #Benchmark(int, int, Consumer)}, each timed step also told to stepListener; a workload
   * estimated above memory's figure is refused.
   */
  public Benchmark(
      int sampleTokens, int rssEvery, Consumer<String> progress, StepListener stepListener, AvailableMemory memory) {
    this.stepListener = stepListener;
    this.memory = memory;
    this.sampleTokens = sampleTokens;
    this.rssEvery = rssEvery;
    this.progress = progress;
  }

  public BenchResult run(Workload workload) {
    Config config = workload.config();
    TrainingSection t = config.training();
    progress.accept(workload.name() + ": loading " + config.data().path().getFileName());
    Corpus corpus = TrainingRun.loadCorpus(config);
    int vocabSize = corpus.tokenizer().vocabSize();
    MemoryEstimate estimate = MemoryEstimate.forTraining(config.model().toGptConfig(vocabSize), t.batchSize(), t.workers());
    estimate.refuseAbove(memory, "the " + workload.name() + " workload", estimate.lowerKeys());
    GPT model = GPT.create(config.model().toGptConfig(vocabSize), t.seed());
    Optimizer optimizer = t.optimizerFor(model);
    int B = t.batchSize();
    int T = config.model().blockSize();
    Replicas replicas = Replicas.of(model, t.workers());
    TrainingStep trainingStep = TrainingStep.withinActivationBudget(
        replicas, optimizer, new BatchSampler(corpus.train(), B, T, new SplitMix64(t.seed())), t.gradClip());
    SplitMix64 dropoutSeeds = new SplitMix64(~t.seed());
    double lr = t.learningRate();
    int microBatch = trainingStep.microBatch();
    if (microBatch < B) {
      int slices = (B + microBatch - 1) / microBatch;
      boolean budget = microBatch < (B + replicas.count() - 1) / replicas.count();
      progress.accept(
          String.format(java.util.Locale.ROOT,
              "%s: the batch of %d in %d slices of at most %d sequences, %d at once (training.workers)%s",
              workload.name(), B, slices, microBatch, replicas.count(),
              budget
                  ? String.format(java.util.Locale.ROOT,
                      ", gradients accumulated: %.1f GB of activations per sequence, %.1f GB budget",
                      MicroBatches.trainingBytesPerSequence(model.config(), T) / 1e9,
                      MicroBatches.ACTIVATION_BUDGET_BYTES / 1e9)
                  : ""));
    }

    JavaHeap.returnFreeMemoryWhileTraining(); // as the trainer does
    NativeMemory.keepFreedMemoryMapped();
    int total = workload.warmup() + workload.steps();
    long[] stepNanos = new long[workload.steps()];
    long[][] phaseNanos = new long[PHASES.length][workload.steps()];
    long peakRss = -1;
    List<BenchResult.RssSample> rssSamples = new ArrayList<>();
    ResidentMemory end;
    long passBytes;
    try {
      for (int i = 0; i < total; i++) {
        boolean timed = i >= workload.warmup();
        TrainingStep.Result step = trainingStep.run(dropoutSeeds.nextLong(), lr);
        if (!Double.isFinite(step.loss())) {
          throw new IllegalStateException(
              workload.name() + ": the loss became " + step.loss() + " at step " + (i + 1));
        }
        if (!step.updated()) {
          throw new IllegalStateException(
              workload.name() + ": the gradient norm became " + step.gradNorm() + " at step " + (i + 1));
        }
        if (timed) {
          int k = i - workload.warmup();
          long[] phases = step.timings().asArray();
          stepNanos[k] = step.timings().total();
          for (int p = 0; p < PHASES.length; p++) {
            phaseNanos[p][k] = phases[p];
          }
          peakRss = Math.max(peakRss, ResidentMemory.now().rssBytes());
          stepListener.stepped(workload.name(), k + 1, workload.steps(), stepNanos[k] / 1e6, step.loss());
        }
        if (rssEvery > 0 && ((i + 1) % rssEvery == 0 || i == 0)) {
          rssSamples.add(new BenchResult.RssSample(i + 1, ResidentMemory.now().rssBytes()));
        }
      }
      end = ResidentMemory.now();
      passBytes = replicas.map(replicas.count(), (graph, i) -> graph.replayedPassBytes()).stream()
          .mapToLong(Long::longValue).sum();
    } finally {
      replicas.close(); // its threads, and the passes' arrays: sampling runs on the model alone
    }
    StepTimes stepTimes = StepTimes.ofNanos(stepNanos);
    Map<String, Double> phases = new LinkedHashMap<>();
    for (int p = 0; p < PHASES.length; p++) {
      phases.put(PHASES[p], StepTimes.ofNanos(phaseNanos[p]).medianMs());
    }
    int tokens = sampleTokens < 0 ? 2 * config.model().blockSize() : sampleTokens;
    BenchResult.Sampling sampling = GenerationTiming.measure(model, tokens, workload.name(), progress);
    return new BenchResult(
        workload.name(),
        workload.title(),
        new BenchResult.Shape(ParameterCount.of(model).total(), vocabSize, B, T, replicas.count()),
        stepTimes,
        phases,
        B * T / (stepTimes.medianMs() / 1000.0),
        new BenchResult.Memory(peakRss, end.rssBytes(), end.peakBytes(), rssSamples, passBytes,
            estimate.activationBytes(), estimate.totalBytes()),
        sampling,
        workload.referenceMs());
  }
}
