package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * GELU, GPT-2's tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 *
 * <p>Written out: in M2.1 {@code sd.nn().gelu} is the sigmoid approximation x·σ(1.702x), and
 * {@code preciseGelu} matches neither the tanh form nor the exact erf form (gelu(-2) = -0.0789
 * against -0.0454).
 */
public final class Gelu {
  private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

  private Gelu() {}

  public static SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable cube = x.mul(x).mul(x);
    SDVariable inner = x.add(cube.mul(0.044715)).mul(SQRT_2_OVER_PI);
    return x.mul(0.5).mul(sd.math().tanh(inner).add(1.0));
  }
}
