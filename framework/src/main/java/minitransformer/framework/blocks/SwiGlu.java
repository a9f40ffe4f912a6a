package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The gated feed-forward network of Llama (Shazeer's SwiGLU), Hugging Face's LlamaMLP:
 *
 * <pre>
 *   y = (SiLU(x·W_gate) ⊙ (x·W_up))·W_down        SiLU(z) = z·σ(z)
 * </pre>
 *
 * W_gate and W_up [C, hidden], W_down [hidden, C]; hidden = model.mlp_hidden (8C/3 rounded up to a
 * multiple of 64 by default, 11,008 in Llama-2-7B). Biases only when model.bias.
 */
public final class SwiGlu implements FeedForward {
  private final int layer;
  private final Linear gate;
  private final Linear up;
  private final Linear down;
  private final Dropout dropout;

  public SwiGlu(ParameterFactory params, Dropout dropout, GPTConfig config, int layer) {
    this.layer = layer;
    this.dropout = dropout;
    long c = config.nEmbd();
    long hidden = config.mlpHidden();
    boolean bias = config.bias();
    double std = ParameterFactory.INIT_STD;
    double residualStd = std / Math.sqrt(2.0 * config.nLayer()); // GPT-2: scaled residual projections
    this.gate = new Linear(params, Names.wGate(layer), Names.bGate(layer), c, hidden, std, bias);
    this.up = new Linear(params, Names.wUp(layer), Names.bUp(layer), c, hidden, std, bias);
    this.down = new Linear(params, Names.wDown(layer), Names.bDown(layer), hidden, c, residualStd, bias);
  }

  /** x (B*T, C) -> (B*T, C). */
  @Override
  public SDVariable apply(SameDiff sd, SDVariable x) {
    SDVariable g = gate.apply(x); // (B*T, hidden)
    SDVariable silu = g.mul(sd.nn().sigmoid(g)); // (B*T, hidden): SiLU(x·W_gate)
    SDVariable h = silu.mul(up.apply(x)); // (B*T, hidden)
    SDVariable y = down.apply(h); // (B*T, C)
    return dropout.apply(sd, y, Names.mlpDropoutMask(layer), Dropout.MaskShape.TOKENS);
  }
}
