package minitransformer.framework.blocks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Inverted dropout as a multiplication by a mask placeholder: y = x ⊙ m. The caller feeds
 * m ~ Bernoulli(1-p)/(1-p) in training and ones in eval mode, so a step is reproducible from a seed
 * (SameDiff's own dropout has no train/eval switch and its own random state). With p = 0 no node is
 * added at all.
 */
public final class Dropout {
  /** What a mask looks like, so the model can draw one of the right shape. */
  public enum MaskShape {
    /** [B*T, C], one entry per token and channel. */
    TOKENS,
    /** [B, nh, T, T], one entry per attention weight. */
    ATTENTION
  }

  /** One mask placeholder in the graph. */
  public record Site(String maskName, MaskShape shape) {}

  private final double p;
  private final DataType dataType;
  private final List<Site> sites = new ArrayList<>();

  public Dropout(double p, DataType dataType) {
    this.p = p;
    this.dataType = dataType;
  }

  /** x ⊙ mask, or x itself when p == 0. */
  public SDVariable apply(SameDiff sd, SDVariable x, String maskName, MaskShape shape) {
    if (p == 0.0) {
      return x;
    }
    long[] unknown = shape == MaskShape.TOKENS ? new long[] {-1, -1} : new long[] {-1, -1, -1, -1};
    SDVariable mask = sd.placeHolder(maskName, dataType, unknown);
    sites.add(new Site(maskName, shape));
    return x.mul(mask);
  }

  /** Every mask placeholder added so far. */
  public List<Site> sites() {
    return Collections.unmodifiableList(sites);
  }
}
