package minitransformer.training.bench;

import java.util.Arrays;

/**
 * The spread of a set of timings in milliseconds: median, quartiles (linear interpolation between
 * order statistics, as numpy's default percentile), minimum and maximum.
 */
public record StepTimes(int count, double medianMs, double p25Ms, double p75Ms, double minMs, double maxMs) {
  public StepTimes {
    if (count < 1) {
      throw new IllegalArgumentException("no timings (count " + count + ")");
    }
  }

  /** From durations in nanoseconds. */
  public static StepTimes ofNanos(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no timings");
    }
    double[] ms = Arrays.stream(nanos).mapToDouble(n -> n / 1e6).sorted().toArray();
    return new StepTimes(
        ms.length, percentile(ms, 50), percentile(ms, 25), percentile(ms, 75), ms[0], ms[ms.length - 1]);
  }

  /** The p-th percentile of sorted values. */
  static double percentile(double[] sorted, double p) {
    double rank = p / 100.0 * (sorted.length - 1);
    int below = (int) Math.floor(rank);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
  }
}
