package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.PositionalEncoding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Causal multi-head self-attention (nanoGPT's CausalSelfAttention, Hugging Face's LlamaAttention)
 * with W_Q [C, C], W_K and W_V [C, n_kv·hs], W_O [C, C]:
 *
 * <pre>
 *   q = x·W_Q,  k = x·W_K,  v = x·W_V           split into nh (q) and n_kv (k, v) heads of size hs = C / nh
 *   q, k = rope(q), rope(k)                      only with positional_encoding rope ({@link Rotary})
 *   q, k = rms(q), rms(k)                        only with qk_norm ({@link QkNorm})
 *   scores = q·kᵀ / √hs + M      M[t, s] = 0 if s <= t else -1e9 (the causal mask)
 *                                query head h meets key head h / (nh / n_kv) ({@link KeyValueHeads})
 *   att = softmax(scores) over the keys s       (named output h{i}/attn/probs, (B, nh, T, T))
 *   y = concat_heads(att·v)·W_O
 * </pre>
 *
 * Built from matmul, scale, an additive mask and softmax: M2.1's dotProductAttention crashes
 * natively with any causal mask. Projections stay 2-D [B*T, C]·[C, ...]; only the attention core is
 * rank 4. The variants are chosen once, here in the constructor, from the config.
 */
public final class CausalSelfAttention {
  private final int layer;
  private final int nh;
  private final int nKv;
  private final int hs;
  private final int nEmbd;
  private final Linear wQ;
  private final Linear wK;
  private final Linear wV;
  private final Linear wO;
  private final HeadTransform qPositions;
  private final HeadTransform kPositions;
  private final HeadTransform qkNorm;
  private final KeyValueHeads kvHeads;
  private final Dropout dropout;

  public CausalSelfAttention(ParameterFactory params, Dropout dropout, GPTConfig config, int layer) {
    this.layer = layer;
    this.nh = config.nHead();
    this.nKv = config.nKvHead();
    this.hs = config.headSize();
    this.nEmbd = config.nEmbd();
    this.dropout = dropout;
    double std = ParameterFactory.INIT_STD;
    double residualStd = std / Math.sqrt(2.0 * config.nLayer()); // GPT-2: scaled residual projections
    long c = nEmbd;
    long kv = (long) nKv * hs;
    boolean bias = config.bias();
    this.wQ = new Linear(params, Names.wQ(layer), Names.bQ(layer), c, c, std, bias);
    this.wK = new Linear(params, Names.wK(layer), Names.bK(layer), c, kv, std, bias);
    this.wV = new Linear(params, Names.wV(layer), Names.bV(layer), c, kv, std, bias);
    this.wO = new Linear(params, Names.wO(layer), Names.bO(layer), c, c, residualStd, bias);
    boolean rope = config.positionalEncoding() == PositionalEncoding.ROPE;
    this.qPositions = rope ? new Rotary(params, config, nh) : HeadTransform.NONE;
    this.kPositions = rope ? new Rotary(params, config, nKv) : HeadTransform.NONE;
    this.qkNorm = config.qkNorm() ? new QkNorm(config.normEps()) : HeadTransform.NONE;
    this.kvHeads = KeyValueHeads.of(nh, nKv, hs);
  }

  /** x (B*T, C) -> (B*T, C). */
  public SDVariable apply(SameDiff sd, SDVariable x, Sequence seq) {
    SDVariable q = sd.reshape(wQ.apply(x), seq.shapeWith(sd, nh, hs)); // (B, T, nh, hs)
    SDVariable k = sd.reshape(wK.apply(x), seq.shapeWith(sd, nKv, hs)); // (B, T, n_kv, hs)
    SDVariable v = sd.reshape(wV.apply(x), seq.shapeWith(sd, nKv, hs)); // (B, T, n_kv, hs)
    q = qkNorm.apply(sd, qPositions.apply(sd, q, seq), seq); // (B, T, nh, hs)
    k = qkNorm.apply(sd, kPositions.apply(sd, k, seq), seq); // (B, T, n_kv, hs)
    // The 1/√hs of the scores is applied to q: (q/√hs)·kᵀ = q·kᵀ/√hs, and the scaled array is then
    // [B, T, nh, hs] instead of [B, nh, T, T] (half the size at T 64, hs 32; a quarter at T 256, hs 64).
    q = sd.permute(q.mul(1.0 / Math.sqrt(hs)), 0, 2, 1, 3); // (B, nh, T, hs): q/√hs
    k = sd.permute(k, 0, 2, 1, 3); // (B, n_kv, T, hs)
    v = sd.permute(v, 0, 2, 1, 3); // (B, n_kv, T, hs)

    SDVariable scores = kvHeads.scores(sd, q, k, seq); // (B, nh, T, T) = q·kᵀ/√hs
    scores.rename(Names.attentionScores(layer)); // a name for the views, no op
    scores = scores.add(seq.causalMask()); // (B, nh, T, T) + (T, T)
    SDVariable att = sd.nn().softmax(Names.attentionProbs(layer), scores, 3); // (B, nh, T, T)
    att = dropout.apply(sd, att, Names.attentionDropoutMask(layer), Dropout.MaskShape.ATTENTION);

    SDVariable y = kvHeads.mix(sd, att, v, seq); // (B, nh, T, hs)
    y = sd.permute(y, 0, 2, 1, 3); // (B, T, nh, hs)
    y = sd.reshape(y, -1, nEmbd); // (B*T, C): heads concatenated
    y = wO.apply(y); // (B*T, C)
    return dropout.apply(sd, y, Names.residualDropoutMask(layer), Dropout.MaskShape.TOKENS);
  }
}
