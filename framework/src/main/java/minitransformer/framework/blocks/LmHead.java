package minitransformer.framework.blocks;

import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The language-model head: logits = x·wteᵀ when tied to the token embedding, else x·W with its own
 * W [C, V]. No bias, as in nanoGPT.
 */
public final class LmHead {
  private final SDVariable w; // (C, V), or wte (V, C) when tied
  private final boolean tied;

  private LmHead(SDVariable w, boolean tied) {
    this.w = w;
    this.tied = tied;
  }

  public static LmHead tied(TokenEmbedding embedding) {
    return new LmHead(embedding.wte(), true);
  }

  public static LmHead untied(ParameterFactory params, int nEmbd, int vocabSize) {
    return new LmHead(params.normal(Names.LM_HEAD_W, ParameterFactory.INIT_STD, nEmbd, vocabSize), false);
  }

  /** x (B*T, C) -> logits (B*T, V). */
  public SDVariable apply(SameDiff sd, SDVariable x) {
    return sd.mmul(x, w, false, tied, false); // (B*T, V)
  }
}
