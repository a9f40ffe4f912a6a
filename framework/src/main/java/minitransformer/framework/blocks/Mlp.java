package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** The position-wise feed-forward network: y = GELU(x·W_fc + b_fc)·W_proj + b_proj, hidden 4C. */
public final class Mlp {
  private final int layer;
  private final Linear fc;
  private final Linear proj;
  private final Dropout dropout;

  public Mlp(ParameterFactory params, Dropout dropout, GPTConfig config, int layer) {
    this.layer = layer;
    this.dropout = dropout;
    long c = config.nEmbd();
    double std = ParameterFactory.INIT_STD;
    double residualStd = std / Math.sqrt(2.0 * config.nLayer()); // GPT-2: scaled residual projections
    this.fc = new Linear(params, Names.wFc(layer), Names.bFc(layer), c, 4 * c, std, config.bias());
    this.proj =
        new Linear(params, Names.wProj(layer), Names.bProj(layer), 4 * c, c, residualStd, config.bias());
  }

  /** x (B*T, C) -> (B*T, C). */
  public SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable h = Gelu.apply(sd, fc.apply(x)); // (B*T, 4C)
    SDVariable y = proj.apply(h); // (B*T, C)
    return dropout.apply(sd, y, Names.mlpDropoutMask(layer), Dropout.MaskShape.TOKENS);
  }
}
