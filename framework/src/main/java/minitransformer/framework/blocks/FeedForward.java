package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** The position-wise feed-forward network of a block, x (B*T, C) -> (B*T, C). */
public interface FeedForward {
  SDVariable apply(SameDiff sd, SDVariable x);

  /** The config's kind (model.mlp, model.mlp_hidden) for block layer. */
  static FeedForward of(ParameterFactory params, Dropout dropout, GPTConfig config, int layer) {
    return switch (config.mlp()) {
      case GELU -> new Mlp(params, dropout, config, layer, Gelu::apply);
      case RELU2 -> new Mlp(params, dropout, config, layer, ReluSquared::apply);
      case SWIGLU -> new SwiGlu(params, dropout, config, layer);
    };
  }
}
