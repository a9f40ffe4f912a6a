package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A step applied to the queries or keys of every head before the scores, z (B, T, H, hs) -> (B, T, H, hs):
 * the rotary position embedding, QK-norm, or nothing.
 */
public interface HeadTransform {
  /** Leaves the heads as they are. */
  HeadTransform NONE = (sd, z, seq) -> z;

  SDVariable apply(SameDiff sd, SDVariable z, Sequence seq);
}
