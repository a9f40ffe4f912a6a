package minitransformer.training.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import minitransformer.datasets.BpeTokenizer;
import minitransformer.datasets.BpeTrainer;
import minitransformer.datasets.SplitPattern;

/**
 * {@code bench --tokenizer}: how long learning BPE merges takes, and how fast the result encodes and
 * decodes on one thread. Merges are learned from the first 90% of the text (a run's train split);
 * the whole text is encoded, each call with a fresh chunk cache, so first sightings of chunks count.
 * Each figure is the median of {@code repeats} timed runs after one untimed run, by the wall clock
 * and by the thread's CPU time (which a busy machine disturbs less: time spent waiting for a core is
 * not counted).
 *
 * @param merges merges learned per run
 * @param learnSeconds median seconds to learn them (wall clock)
 * @param learnCpuSeconds the same in CPU seconds of the learning thread
 * @param encodeMegabytesPerSecond median MB (10^6 bytes) of UTF-8 text encoded per second (wall clock)
 * @param encodeMegabytesPerCpuSecond the same per CPU second
 * @param decodeMegabytesPerSecond median MB of text decoded per second (wall clock)
 * @param decodeMegabytesPerCpuSecond the same per CPU second
 * @param tokensPerByte tokens of the encoded text per byte of it
 */
public record TokenizerBenchmark(
    String corpus, long bytes, int merges, int repeats, double learnSeconds, double learnCpuSeconds,
    double encodeMegabytesPerSecond, double encodeMegabytesPerCpuSecond, double decodeMegabytesPerSecond,
    double decodeMegabytesPerCpuSecond, double tokensPerByte) {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static TokenizerBenchmark run(String name, String text, int merges, int repeats) {
    if (merges < 1) {
      throw new IllegalArgumentException("merges must be positive, got " + merges);
    }
    String train = text.substring(0, text.offsetByCodePoints(0, (int) (0.9 * text.codePointCount(0, text.length()))));
    long bytes = text.getBytes(StandardCharsets.UTF_8).length;
    double[][] wall = new double[3][repeats]; // learn s, encode MB/s, decode MB/s
    double[][] cpu = new double[3][repeats];
    BpeTokenizer bpe = null;
    int[] ids = null;
    for (int r = -1; r < repeats; r++) { // r = -1: untimed warm-up of the JIT
      long[] w = new long[4];
      long[] c = new long[4];
      mark(w, c, 0);
      bpe = BpeTrainer.train(train, BpeTokenizer.BYTES + merges, SplitPattern.DEFAULT);
      mark(w, c, 1);
      ids = bpe.encode(text);
      mark(w, c, 2);
      String back = bpe.decode(ids);
      mark(w, c, 3);
      if (!back.equals(text)) {
        throw new IllegalStateException("BPE did not round-trip the text");
      }
      if (r >= 0) {
        for (int phase = 0; phase < 3; phase++) {
          double wallSeconds = (w[phase + 1] - w[phase]) / 1e9;
          double cpuSeconds = (c[phase + 1] - c[phase]) / 1e9;
          wall[phase][r] = phase == 0 ? wallSeconds : bytes / wallSeconds / 1e6;
          cpu[phase][r] = phase == 0 ? cpuSeconds : bytes / cpuSeconds / 1e6;
        }
      }
    }
    return new TokenizerBenchmark(name, bytes, bpe.vocabSize() - BpeTokenizer.BYTES, repeats,
        median(wall[0]), median(cpu[0]), median(wall[1]), median(cpu[1]), median(wall[2]), median(cpu[2]),
        ids.length / (double) bytes);
  }

  private static void mark(long[] wall, long[] cpu, int i) {
    wall[i] = System.nanoTime();
    cpu[i] = THREADS.getCurrentThreadCpuTime();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** One line for the console. */
  public String describe() {
    return String.format(Locale.ROOT,
        "BPE on %s (%,d bytes), medians of %d runs on one thread, wall clock (CPU time):%n"
            + "  %d merges learned from the first 90%% in %.2f s (%.2f CPU s)%n"
            + "  encoding %.1f MB/s (%.1f per CPU s), decoding %.1f MB/s (%.1f per CPU s); %.4f tokens per byte",
        corpus, bytes, repeats, merges, learnSeconds, learnCpuSeconds, encodeMegabytesPerSecond,
        encodeMegabytesPerCpuSecond, decodeMegabytesPerSecond, decodeMegabytesPerCpuSecond, tokensPerByte);
  }
}
