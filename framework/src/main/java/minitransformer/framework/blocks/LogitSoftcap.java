package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Logit soft-capping (Gemma 2, nanochat): logits = cap·tanh(logits / cap), smooth, the identity
 * near 0 and bounded by ±cap. model.logit_softcap; 0 builds nothing.
 */
public final class LogitSoftcap {
  private LogitSoftcap() {}

  /** logits (N, V) -> (N, V); cap 0: the logits themselves. */
  public static SDVariable apply(SameDiff sd, SDVariable logits, double cap) {
    if (cap == 0.0) {
      return logits;
    }
    return sd.math().tanh(logits.div(cap)).mul(cap); // (N, V)
  }
}
