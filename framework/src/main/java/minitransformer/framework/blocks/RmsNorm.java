package minitransformer.framework.blocks;

import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * RMSNorm over the channels of each token, as Hugging Face's LlamaRMSNorm:
 * y = x / √(mean(x²) + ε) · γ. No centring and no β (whatever model.bias says: Llama has none).
 * The gain keeps LayerNorm's name, {@code scope/gamma}, so that both norms read alike in a
 * checkpoint.
 *
 * <p>Written out like {@link LayerNorm} and for the same reasons: the mean of squares is a product
 * and a mean (M2.1's variance op differentiates the bias-corrected variance), and γ is spread over
 * the rows by a broadcast add before the product.
 */
public final class RmsNorm implements Norm {
  private final SDVariable gamma; // (C)
  private final double eps;

  public RmsNorm(ParameterFactory params, String scope, int nEmbd, double eps) {
    this.gamma = params.ones(Names.gamma(scope), nEmbd);
    this.eps = eps;
  }

  /** x (N, C) -> (N, C). */
  @Override
  public SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable xHat = normalize(sd, x, eps, 1); // (N, C)
    SDVariable gammaRows = sd.zerosLike(xHat).add(gamma); // (N, C): γ in every row
    return xHat.mul(gammaRows); // (N, C)
  }

  /** x / √(mean(x²) + ε) over axis (the last one), no gain; x (..., d) -> (..., d). Also QK-norm's. */
  static SDVariable normalize(SameDiff sd, SDVariable x, double eps, int axis) {
    SDVariable meanSquare = x.mul(x).mean(true, axis); // (..., 1)
    return x.div(sd.math().sqrt(meanSquare.add(eps))); // (..., d)
  }
}
