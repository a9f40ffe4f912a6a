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

  /**
   * A uniform int in [0, bound), written out (java.util.Random's rejection method on the top 31 bits
   * of {@link #nextLong()}) so that batch offsets do not depend on the JDK's default implementation.
   */
  @Override
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    int r = (int) (nextLong() >>> 33);
    int m = bound - 1;
    if ((bound & m) == 0) { // a power of two: the top bits are uniform
      return (int) ((bound * (long) r) >> 31);
    }
    for (int u = r; u - (r = u % bound) + m < 0; u = (int) (nextLong() >>> 33)) {
      // reject the incomplete last stretch of [0, 2^31) so every residue is equally likely
    }
    return r;
  }
}
