package minitransformer.training.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import minitransformer.datasets.Batch;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.framework.LossAndGradients;
import minitransformer.framework.ParameterCount;
import minitransformer.training.Trainer;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.Config;
import minitransformer.training.config.TrainingSection;
import minitransformer.training.optim.AdamW;
import minitransformer.training.optim.GradientClipping;

/**
 * Times the training step of a workload exactly as {@link Trainer} runs it (a batch from the
 * sampler, the loss and gradients, clipping by global norm, an AdamW update, System.gc() every
 * {@link Trainer#GC_INTERVAL} steps outside the timed part), then the speed of sampling
 * ({@link GenerationTiming}).
 */
public final class Benchmark {
  private static final String[] PHASES = {"batch", "forward_backward", "clip", "adamw"};

  private final Consumer<String> progress;
  private final int sampleTokens;
  private final int rssEvery;

  /**
   * @param sampleTokens tokens generated per sampling path; negative: twice the block size
   * @param rssEvery record VmRSS after every this many steps (warm-up included; 0: none)
   * @param progress receives one line per phase (for a person watching)
   */
  public Benchmark(int sampleTokens, int rssEvery, Consumer<String> progress) {
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
    GPT model = GPT.create(config.model().toGptConfig(vocabSize), t.seed());
    AdamW optimizer = new AdamW(model.parameters(), t.beta1(), t.beta2(), t.weightDecay());
    int B = t.batchSize();
    int T = config.model().blockSize();
    BatchSampler batches = new BatchSampler(corpus.train(), B, T, new SplitMix64(t.seed()));
    SplitMix64 dropoutSeeds = new SplitMix64(~t.seed());
    double lr = t.learningRate();
    int microBatch = GPT.microBatchSize(model.config(), B, T, GPT.ACTIVATION_BUDGET_BYTES);
    if (microBatch < B) {
      progress.accept(
          String.format(java.util.Locale.ROOT,
              "%s: gradients accumulated over %d slices of %d sequences (estimated %.1f GB of activations"
                  + " per sequence x %d > the %.1f GB budget)",
              workload.name(), B / microBatch, microBatch,
              GPT.trainingBytesPerSequence(model.config(), T) / 1e9, B, GPT.ACTIVATION_BUDGET_BYTES / 1e9));
    }

    int total = workload.warmup() + workload.steps();
    long[] stepNanos = new long[workload.steps()];
    long[][] phaseNanos = new long[PHASES.length][workload.steps()];
    long peakRss = -1;
    List<BenchResult.RssSample> rssSamples = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      boolean timed = i >= workload.warmup();
      long start = System.nanoTime();
      Batch batch = batches.next();
      long batched = System.nanoTime();
      LossAndGradients lg =
          model.lossAndGradients(
              GPT.idsArray(batch.x(), B, T), GPT.idsArray(batch.y(), B, T), dropoutSeeds.nextLong(), microBatch);
      if (!Double.isFinite(lg.loss())) {
        throw new IllegalStateException(workload.name() + ": the loss became " + lg.loss() + " at step " + (i + 1));
      }
      long computed = System.nanoTime();
      GradientClipping.clipByGlobalNorm(lg.gradients(), t.gradClip());
      long clipped = System.nanoTime();
      optimizer.step(lg.gradients(), lr);
      long end = System.nanoTime();
      if (timed) {
        int k = i - workload.warmup();
        stepNanos[k] = end - start;
        phaseNanos[0][k] = batched - start;
        phaseNanos[1][k] = computed - batched;
        phaseNanos[2][k] = clipped - computed;
        phaseNanos[3][k] = end - clipped;
        peakRss = Math.max(peakRss, ResidentMemory.now().rssBytes());
        progress.accept(
            String.format(java.util.Locale.ROOT, "%s: step %d/%d %.1f ms (loss %.4f)",
                workload.name(), k + 1, workload.steps(), (end - start) / 1e6, lg.loss()));
      }
      if ((i + 1) % Trainer.GC_INTERVAL == 0) {
        System.gc();
      }
      if (rssEvery > 0 && ((i + 1) % rssEvery == 0 || i == 0)) {
        rssSamples.add(new BenchResult.RssSample(i + 1, ResidentMemory.now().rssBytes()));
      }
    }
    ResidentMemory end = ResidentMemory.now();
    StepTimes step = StepTimes.ofNanos(stepNanos);
    Map<String, Double> phases = new LinkedHashMap<>();
    for (int p = 0; p < PHASES.length; p++) {
      phases.put(PHASES[p], StepTimes.ofNanos(phaseNanos[p]).medianMs());
    }
    int tokens = sampleTokens < 0 ? 2 * config.model().blockSize() : sampleTokens;
    BenchResult.Sampling sampling = GenerationTiming.measure(model, tokens, workload.name(), progress);
    return new BenchResult(
        workload.name(),
        workload.title(),
        new BenchResult.Shape(ParameterCount.of(model).total(), vocabSize, B, T),
        step,
        phases,
        B * T / (step.medianMs() / 1000.0),
        new BenchResult.Memory(peakRss, end.rssBytes(), end.peakBytes(), rssSamples),
        sampling,
        workload.referenceMs());
  }
}
