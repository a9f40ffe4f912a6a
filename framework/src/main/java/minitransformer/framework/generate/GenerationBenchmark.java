package minitransformer.framework.generate;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;

/**
 * Generation speed with and without the KV cache on the shakespeare-char model size (4 layers,
 * 4 heads, width 128, block 64, vocab 65; freshly initialised: speed does not depend on the weights).
 * A benchmark, not a test: run it on a quiet machine, with OMP_NUM_THREADS=1.
 *
 * <pre>
 *   java -cp training/target/minitransformer.jar minitransformer.framework.generate.GenerationBenchmark [RUNS] [TOKENS]
 * </pre>
 *
 * Per path it prints the medians over RUNS runs (after one warm-up run) of: tokens per second over
 * all TOKENS tokens, time to the first token (prompt of 16 tokens read), and tokens per second
 * while the context still fits the block (no re-fills).
 */
public final class GenerationBenchmark {
  private static final int PROMPT_LENGTH = 16;

  private GenerationBenchmark() {}

  /** One path: a fresh generator per run. */
  private record Path(String name, Supplier<Generator> make) {}

  private interface Generator {
    int[] generate(int[] prompt, int n, SamplingOptions options, java.util.function.IntConsumer onToken);
  }

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    GPTConfig config = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, true, true, 0.0);
    GPT gpt = GPT.create(config, 1337);
    int block = config.blockSize();
    int refill = CachedSampler.defaultRefill(block);
    List<Path> paths = List.of(
        new Path("no cache (full forward per token)", () -> new Sampler(gpt)::generate),
        new Path("SameDiff cache, exact slide", () -> new CachedSampler(gpt, new SameDiffKvCache(gpt))::generate),
        new Path("SameDiff cache, refill " + refill,
            () -> new CachedSampler(gpt, new SameDiffKvCache(gpt), refill)::generate),
        new Path("Java cache, exact slide", () -> new CachedSampler(gpt, new JavaKvCache(gpt))::generate),
        new Path("Java cache, refill " + refill + " (default)",
            () -> new CachedSampler(gpt, new JavaKvCache(gpt), refill)::generate));
    int[] prompt = new int[PROMPT_LENGTH];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = (7 * i + 3) % config.vocabSize();
    }
    SamplingOptions options = new SamplingOptions(1.0, 0, 1.0, 42);
    int inBlock = block - PROMPT_LENGTH; // tokens generated before the first re-fill
    System.out.printf(Locale.ROOT, "%d runs (+1 warm-up), %d tokens, prompt %d, %s%n", runs, tokens, PROMPT_LENGTH,
        config);
    for (Path path : paths) {
      double[] total = new double[runs];
      double[] first = new double[runs];
      double[] within = new double[runs];
      for (int r = -1; r < runs; r++) {
        Generator g = path.make().get();
        long[] at = new long[tokens];
        int[] count = {0};
        long start = System.nanoTime();
        g.generate(prompt, tokens, options, id -> at[count[0]++] = System.nanoTime());
        if (r >= 0) {
          total[r] = tokens / ((at[tokens - 1] - start) / 1e9);
          first[r] = (at[0] - start) / 1e6;
          within[r] = (inBlock - 1) / ((at[inBlock - 1] - at[0]) / 1e9);
        }
      }
      System.out.printf(Locale.ROOT, "%-38s %8.0f tok/s   first token %7.2f ms   within block %8.0f tok/s%n",
          path.name(), median(total), median(first), median(within));
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
