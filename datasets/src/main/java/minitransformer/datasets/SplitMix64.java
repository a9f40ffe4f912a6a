package minitransformer.datasets;

import java.util.random.RandomGenerator;

/**
 * A seeded random number generator whose whole state is one long, so a checkpoint can capture it
 * with {@link #state()} and restore it with {@link #setState(long)} (resume must be exact).
 */
public final class SplitMix64 implements RandomGenerator {
  private long state;

  public SplitMix64(long seed) {
    this.state = seed;
  }

  public long state() {
    return state;
  }

  public void setState(long state) {
    this.state = state;
  }

  @Override
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
