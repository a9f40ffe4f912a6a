package minitransformer.training.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.generate.CachedSampler;
import minitransformer.framework.generate.JavaKvCache;
import minitransformer.framework.generate.SamplingOptions;
import minitransformer.training.TrainedModel;
import minitransformer.training.optim.AdamW;
import minitransformer.training.step.Replicas;
import minitransformer.training.step.TrainingStep;

/**
 * The size figures of issue 22 on a checkpoint of GPT-2 small's shapes (made by
 * src/test/python/hf_gpt2_reference.py {@code make DIR small} and {@code import --hf}), each phase in its own
 * JVM so that its peak RSS (VmHWM) is its own; src/test/scripts/gpt2-small-size.sh runs them all:
 *
 * <pre>
 *   java -cp training/target/minitransformer.jar:training/target/test-classes \
 *       minitransformer.training.bench.Gpt2SmallSize sample RUN_DIR 200
 *   java -cp ... minitransformer.training.bench.Gpt2SmallSize step RUN_DIR CORPUS.txt 128 4
 * </pre>
 *
 * {@code sample}: the checkpoint's load time, then tokens per second of {@code sample}'s path (the KV cache,
 * re-filling half the block) from a one-token prompt after a 20-token warm-up, the median of 3 runs, as
 * ../shared/anchors/torch_gpt/train.py {@code --generate N --gen_mode kv} times PyTorch; and the peak RSS of
 * the whole process (the load included, as a user's {@code sample} has it). {@code step}: one fine-tuning step
 * (a batch of B sequences of T tokens of the corpus in the checkpoint's tokenizer, forward and backward,
 * clipping, AdamW, two workers as {@code train} runs them), one untimed step then the median of 3.
 * Not a test: it measures, and prints one line of figures.
 */
public final class Gpt2SmallSize {
  private Gpt2SmallSize() {}

  public static void main(String[] args) {
    if (args.length == 3 && args[0].equals("sample")) {
      sample(Path.of(args[1]), Integer.parseInt(args[2]));
    } else if (args.length == 5 && args[0].equals("step")) {
      step(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    } else {
      System.err.println("usage: Gpt2SmallSize sample RUN_DIR TOKENS | step RUN_DIR CORPUS T B");
      System.exit(2);
    }
  }

  private static void sample(Path run, int tokens) {
    long start = System.nanoTime();
    TrainedModel m = TrainedModel.load(run);
    double loadSeconds = (System.nanoTime() - start) / 1e9;
    GPT gpt = m.gpt();
    CachedSampler sampler = new CachedSampler(gpt, new JavaKvCache(gpt), CachedSampler.defaultRefill(gpt.config().blockSize()));
    SamplingOptions options = new SamplingOptions(1.0, 0, 1.0, 1337);
    int[] prompt = {0};
    sampler.generate(prompt, 20, options, id -> {});
    double[] seconds = new double[3];
    for (int r = 0; r < seconds.length; r++) {
      long t = System.nanoTime();
      sampler.generate(prompt, tokens, new SamplingOptions(1.0, 0, 1.0, 1337 + r), id -> {});
      seconds[r] = (System.nanoTime() - t) / 1e9;
    }
    Arrays.sort(seconds);
    System.out.printf(Locale.ROOT, "sample: %,d parameters, load %.2f s, %d tokens through the KV cache: median %.3f s"
        + " (%.1f tokens/s; runs %.3f %.3f %.3f s), peak RSS %.0f MiB%n", ParameterCount.of(gpt).total(), loadSeconds, tokens,
        seconds[1], tokens / seconds[1], seconds[0], seconds[1], seconds[2], peakMib());
  }

  private static void step(Path run, Path corpusFile, int T, int B) {
    TrainedModel m = TrainedModel.load(run);
    GPT gpt = m.gpt();
    Corpus corpus = Corpus.load(corpusFile, m.tokenizer(), 0.9, T);
    Replicas replicas = Replicas.of(gpt, 2);
    TrainingStep step = TrainingStep.withinActivationBudget(replicas, new AdamW(gpt.parameters(), 0.9, 0.99, 0.1),
        new BatchSampler(corpus.train(), B, T, new SplitMix64(1337)), 1.0);
    double[] ms = new double[4];
    for (int i = 0; i < ms.length; i++) {
      TrainingStep.Result r = step.run(i, 3e-5);
      ms[i] = r.timings().total() / 1e6;
    }
    replicas.close();
    double[] timed = Arrays.copyOfRange(ms, 1, ms.length);
    Arrays.sort(timed);
    System.out.printf(Locale.ROOT, "step: B %d, T %d, %d sequences per pass, 2 workers: median %.0f ms (untimed first"
        + " %.0f ms; timed %.0f %.0f %.0f ms), peak RSS %.0f MiB%n", B, T, step.microBatch(), timed[1], ms[0], timed[0],
        timed[1], timed[2], peakMib());
  }

  private static double peakMib() {
    return ResidentMemory.now().peakBytes() / (1024.0 * 1024.0);
  }
}
