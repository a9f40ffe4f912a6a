package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A normalization over the channels of each token, x (N, C) -> (N, C): LayerNorm or RMSNorm. */
public interface Norm {
  SDVariable apply(SameDiff sd, SDVariable x);

  /** The config's kind (model.norm, model.norm_eps) with its parameters under scope ("h0/ln_1", "ln_f"). */
  static Norm of(ParameterFactory params, String scope, GPTConfig config) {
    return switch (config.norm()) {
      case LAYERNORM -> new LayerNorm(params, scope, config.nEmbd(), config.bias(), config.normEps());
      case RMSNORM -> new RmsNorm(params, scope, config.nEmbd(), config.normEps());
    };
  }
}
