package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * LayerNorm over the channels of each token: y = (x - μ) / √(σ² + ε) · γ + β, with the biased
 * variance and the model's ε ({@link GPTConfig#layerNormEps}, 1e-5 as PyTorch and nanoGPT unless a
 * model read from elsewhere sets another). β is absent when the model has no biases.
 *
 * <p>Written out rather than {@code sd.nn().layerNorm}: the M2.1 op has no ε at all (a constant
 * row divides by zero, and tiny-variance rows such as fresh 0.02-scale embeddings are blown up).
 * The variance stays a product and a mean: {@code sd.variance(x, false, true, 1)} (one op instead
 * of two) computes the biased variance in the forward pass, but the gradient graph's copy of the op
 * computes the bias-corrected one (every γ gradient came out √((C-1)/C) times too small in
 * GradientCheckTest.layerNorm).
 */
public final class LayerNorm {
  private final SDVariable gamma; // (C)
  private final SDVariable beta; // (C) or null
  private final double eps;

  public LayerNorm(ParameterFactory params, String scope, int nEmbd, boolean bias, double eps) {
    this.gamma = params.ones(Names.gamma(scope), nEmbd);
    this.beta = bias ? params.zeros(Names.beta(scope), nEmbd) : null;
    this.eps = eps;
  }

  /** With the default ε, {@link GPTConfig#DEFAULT_LAYER_NORM_EPS}. */
  public LayerNorm(ParameterFactory params, String scope, int nEmbd, boolean bias) {
    this(params, scope, nEmbd, bias, GPTConfig.DEFAULT_LAYER_NORM_EPS);
  }

  /** x (N, C) -> (N, C). */
  public SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable mu = x.mean(true, 1); // (N, 1)
    SDVariable centred = x.sub(mu); // (N, C)
    SDVariable variance = centred.mul(centred).mean(true, 1); // (N, 1)
    SDVariable xHat = centred.div(sd.math().sqrt(variance.add(eps))); // (N, C)
    // γ is first spread over the rows by a broadcast add, so that both products below have equal
    // shapes: M2.1's multiply_bp with a broadcast [C] operand takes a generic path (4.3 ms on
    // [768, 128] against 0.18 ms for equal shapes), while add_bp reduces a broadcast in 0.19 ms.
    SDVariable gammaRows = sd.zerosLike(xHat).add(gamma); // (N, C): γ in every row
    SDVariable y = xHat.mul(gammaRows); // (N, C)
    return beta == null ? y : y.add(beta);
  }
}
