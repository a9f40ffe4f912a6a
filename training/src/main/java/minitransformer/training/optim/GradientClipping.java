package minitransformer.training.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Clipping by global norm, as PyTorch's {@code clip_grad_norm_}: all gradients scaled together. */
public final class GradientClipping {
  private GradientClipping() {}

  /** sqrt of the sum of the squares of every gradient element, accumulated in double. */
  public static double globalNorm(Map<String, INDArray> gradients) {
    double sumOfSquares = 0;
    for (INDArray g : gradients.values()) {
      double norm = g.norm2Number().doubleValue();
      sumOfSquares += norm * norm;
    }
    return Math.sqrt(sumOfSquares);
  }

  /**
   * Scales every gradient in place by maxNorm / (norm + 1e-6) when the global norm exceeds maxNorm.
   *
   * @param maxNorm 0 for no clipping
   * @return the global norm BEFORE clipping (not finite: nothing is scaled)
   */
  public static double clipByGlobalNorm(Map<String, INDArray> gradients, double maxNorm) {
    double norm = globalNorm(gradients);
    if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) {
      double scale = maxNorm / (norm + 1e-6);
      gradients.values().forEach(g -> g.muli(scale));
    }
    return norm;
  }
}
