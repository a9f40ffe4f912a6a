package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The position-wise feed-forward network: y = act(x·W_fc + b_fc)·W_proj + b_proj, hidden width
 * model.mlp_hidden (4C by default), act GPT-2's GELU or ReLU² (model.mlp: gelu, relu2).
 */
public final class Mlp implements FeedForward {
  /** The elementwise activation between the two matrices. */
  public interface Activation {
    SDVariable apply(SameDiff sd, SDVariable x);
  }

  private final int layer;
  private final Linear fc;
  private final Linear proj;
  private final Activation activation;
  private final Dropout dropout;

  public Mlp(ParameterFactory params, Dropout dropout, GPTConfig config, int layer, Activation activation) {
    this.layer = layer;
    this.dropout = dropout;
    this.activation = activation;
    long c = config.nEmbd();
    long hidden = config.mlpHidden();
    double std = ParameterFactory.INIT_STD;
    double residualStd = std / Math.sqrt(2.0 * config.nLayer()); // GPT-2: scaled residual projections
    this.fc = new Linear(params, Names.wFc(layer), Names.bFc(layer), c, hidden, std, config.bias());
    this.proj =
        new Linear(params, Names.wProj(layer), Names.bProj(layer), hidden, c, residualStd, config.bias());
  }

  /** x (B*T, C) -> (B*T, C). */
  @Override
  public SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable h = activation.apply(sd, fc.apply(x)); // (B*T, hidden)
    SDVariable y = proj.apply(h); // (B*T, C)
    return dropout.apply(sd, y, Names.mlpDropoutMask(layer), Dropout.MaskShape.TOKENS);
  }
}
