package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * GELU, GPT-2's tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 *
 * <p>Computed through the exact identity 0.5·(1 + tanh(u)) = σ(2u), as x·σ(2·√(2/π)·x·(1 +
 * 0.044715·x²)): the same function with fewer ops, and M2.1's sigmoid (and its backprop) is about
 * twice as fast as its tanh. Measured A/B in one JVM on the CPU recipe model: 0.89x the step time,
 * loss identical, gradients within 1e-8.
 *
 * <p>The constants are folded: u = x·(a + b·x²) with a = 2·√(2/π), b = 0.044715·a, so the graph
 * holds 6 ops (x², ·b, +a, ·x, σ, x·σ) instead of 7, one fewer [N, 4C] intermediate forward and
 * one fewer backward.
 *
 * <p>Written out: in M2.1 {@code sd.nn().gelu} is the sigmoid approximation x·σ(1.702x), and
 * {@code preciseGelu} matches neither the tanh form nor the exact erf form (gelu(-2) = -0.0789
 * against -0.0454).
 */
public final class Gelu {
  private static final double A = 2 * Math.sqrt(2.0 / Math.PI); // 2·√(2/π)
  private static final double B = 0.044715 * A; // 2·√(2/π)·0.044715

  private Gelu() {}

  public static SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable u = x.mul(x).mul(B).add(A).mul(x); // a·x + b·x³ = 2·√(2/π)·(x + 0.044715·x³)
    return x.mul(sd.nn().sigmoid(u)); // x·σ(u) = 0.5·x·(1 + tanh(u/2))
  }
}
