package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A pre-LayerNorm transformer block: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)). */
public final class Block {
  private final LayerNorm ln1;
  private final CausalSelfAttention attn;
  private final LayerNorm ln2;
  private final Mlp mlp;

  public Block(ParameterFactory params, Dropout dropout, GPTConfig config, int layer) {
    this.ln1 = new LayerNorm(params, Names.ln1(layer), config.nEmbd(), config.bias(), config.layerNormEps());
    this.attn = new CausalSelfAttention(params, dropout, config, layer);
    this.ln2 = new LayerNorm(params, Names.ln2(layer), config.nEmbd(), config.bias(), config.layerNormEps());
    this.mlp = new Mlp(params, dropout, config, layer);
  }

  /** x (B*T, C) -> (B*T, C). */
  public SDVariable apply(SameDiff sd, SDVariable x, Sequence seq) {
    x = x.add(attn.apply(sd, ln1.apply(sd, x), seq)); // (B*T, C)
    x = x.add(mlp.apply(sd, ln2.apply(sd, x))); // (B*T, C)
    return x;
  }
}
