package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * QK-norm as nanochat's gpt.py: q and k of every head are RMS-normalized, z / √(mean(z²) + ε) over
 * the head's hs components, with no gain, before the scores; the scores q·kᵀ/√hs are then bounded by
 * √hs, so no logit can blow up the softmax. ε is model.norm_eps.
 */
public final class QkNorm implements HeadTransform {
  private final double eps;

  public QkNorm(double eps) {
    this.eps = eps;
  }

  /** z (B, T, H, hs) -> (B, T, H, hs). */
  @Override
  public SDVariable apply(SameDiff sd, SDVariable z, Sequence seq) {
    return RmsNorm.normalize(sd, z, eps, 3); // (B, T, H, hs)
  }
}
