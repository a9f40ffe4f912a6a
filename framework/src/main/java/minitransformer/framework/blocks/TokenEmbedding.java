package minitransformer.framework.blocks;

import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Token embedding: row ids[b, t] of wte [V, C], computed as oneHot(ids, V)·wte.
 *
 * <p>Not {@code sd.gather}: in M2.1 its gradient overwrites instead of accumulating when an id
 * repeats in a batch (and is a slow per-index loop). The one-hot product has the gradient
 * oneHotᵀ·dY, which sums the rows of every occurrence.
 */
public final class TokenEmbedding {
  private final int vocabSize;
  private final SDVariable wte; // (V, C)

  public TokenEmbedding(ParameterFactory params, int vocabSize, int nEmbd) {
    this.vocabSize = vocabSize;
    this.wte = params.normal(Names.WTE, ParameterFactory.INIT_STD, vocabSize, nEmbd);
  }

  /** The table, shared with a tied LM head. */
  public SDVariable wte() {
    return wte;
  }

  /** ids (B, T) integer -> (B*T, C). */
  public SDVariable apply(SameDiff sd, SDVariable ids) {
    SDVariable flat = sd.reshape(ids, -1); // (B*T)
    SDVariable oneHot =
        sd.oneHot(flat, vocabSize, -1, 1.0, 0.0, wte.dataType()); // (B*T, V)
    return oneHot.mmul(wte); // (B*T, C)
  }
}
