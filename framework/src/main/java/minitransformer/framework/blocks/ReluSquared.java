package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** ReLU², max(0, x)²: Primer's activation, used by nanochat and modded-nanogpt. */
public final class ReluSquared {
  private ReluSquared() {}

  public static SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable r = sd.nn().relu(x, 0.0); // max(0, x)
    return r.mul(r); // max(0, x)²
  }
}
