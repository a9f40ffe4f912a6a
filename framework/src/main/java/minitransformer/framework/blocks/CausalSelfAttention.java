package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Causal multi-head self-attention (nanoGPT's CausalSelfAttention) with separate W_Q, W_K, W_V,
 * W_O of shape [C, C]:
 *
 * <pre>
 *   q = x·W_Q,  k = x·W_K,  v = x·W_V                  split into nh heads of size hs = C / nh
 *   scores = q·kᵀ / √hs + M      M[t, s] = 0 if s <= t else -1e9 (the causal mask)
 *   att = softmax(scores) over the keys s               (named output h{i}/attn/probs)
 *   y = concat_heads(att·v)·W_O
 * </pre>
 *
 * Built from matmul, scale, an additive mask and softmax: M2.1's dotProductAttention crashes
 * natively with any causal mask. Projections stay 2-D [B*T, C]·[C, C]; only the attention core is
 * rank 4.
 */
public final class CausalSelfAttention {
  private final int layer;
  private final int nh;
  private final int hs;
  private final int nEmbd;
  private final Linear wQ;
  private final Linear wK;
  private final Linear wV;
  private final Linear wO;
  private final Dropout dropout;

  public CausalSelfAttention(ParameterFactory params, Dropout dropout, GPTConfig config, int layer) {
    this.layer = layer;
    this.nh = config.nHead();
    this.hs = config.headSize();
    this.nEmbd = config.nEmbd();
    this.dropout = dropout;
    double std = ParameterFactory.INIT_STD;
    double residualStd = std / Math.sqrt(2.0 * config.nLayer()); // GPT-2: scaled residual projections
    long c = nEmbd;
    boolean bias = config.bias();
    this.wQ = new Linear(params, Names.wQ(layer), Names.bQ(layer), c, c, std, bias);
    this.wK = new Linear(params, Names.wK(layer), Names.bK(layer), c, c, std, bias);
    this.wV = new Linear(params, Names.wV(layer), Names.bV(layer), c, c, std, bias);
    this.wO = new Linear(params, Names.wO(layer), Names.bO(layer), c, c, residualStd, bias);
  }

  /** x (B*T, C) -> (B*T, C). */
  public SDVariable apply(SameDiff sd, SDVariable x, Sequence seq) {
    // The 1/√hs of the scores is applied to q: (q/√hs)·kᵀ = q·kᵀ/√hs, and the scaled array is then
    // [B*T, C] instead of [B, nh, T, T] (half the size at T 64, hs 32; a quarter at T 256, hs 64).
    SDVariable q = splitHeads(sd, wQ.apply(x).mul(1.0 / Math.sqrt(hs)), seq); // (B, nh, T, hs): q/√hs
    SDVariable k = splitHeads(sd, wK.apply(x), seq); // (B, nh, T, hs)
    SDVariable v = splitHeads(sd, wV.apply(x), seq); // (B, nh, T, hs)

    SDVariable scores = sd.mmul(q, k, false, true, false); // (B, nh, T, T) = q·kᵀ/√hs
    scores = scores.add(seq.causalMask()); // (B, nh, T, T) + (T, T)
    SDVariable att = sd.nn().softmax(Names.attentionProbs(layer), scores, 3); // (B, nh, T, T)
    att = dropout.apply(sd, att, Names.attentionDropoutMask(layer), Dropout.MaskShape.ATTENTION);

    SDVariable y = sd.mmul(att, v); // (B, nh, T, hs)
    y = sd.permute(y, 0, 2, 1, 3); // (B, T, nh, hs)
    y = sd.reshape(y, -1, nEmbd); // (B*T, C): heads concatenated
    y = wO.apply(y); // (B*T, C)
    return dropout.apply(sd, y, Names.residualDropoutMask(layer), Dropout.MaskShape.TOKENS);
  }

  /** (B*T, C) -> (B, nh, T, hs). */
  private SDVariable splitHeads(SameDiff sd, SDVariable z, Sequence seq) {
    SDVariable heads = sd.reshape(z, seq.shapeWith(sd, nh, hs)); // (B, T, nh, hs)
    return sd.permute(heads, 0, 2, 1, 3); // (B, nh, T, hs)
  }
}
