package minitransformer.framework.generate;

import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights {@link JavaKvCache} reads, copied out of the model's graph as float32 Java arrays:
 * the embedding tables, each block's norms, attention and MLP weights ({@link Layer}), the final
 * norm and the lm head.
 *
 * <p>A snapshot: made from the model's arrays as they are when it is constructed, so a cache makes a
 * new one when the model's weights change ({@link JavaKvCache#refresh()}).
 */
final class CachedWeights {
  // [in, out] as in the model, one Java array per row; lm head as [C, V] (wteᵀ when tied).
  final float[] wte; // (V·C) flat, row id at id·C
  final float[] wpe; // (block_size·C) flat; null unless a table is added at the input
  final float[][] wHead;
  final Layer[] layers;
  final Norm lnF;

  /** A linear layer: W [in, out] as in rows of out floats, b (out) or null without bias. */
  record Linear(float[][] w, float[] b) {}

  /** A norm's γ (C) and β (C), β null with RMSNorm or without bias. */
  record Norm(float[] gamma, float[] beta) {}

  /** One block's weights; fc and proj are null with SwiGLU, gate, up and down without it. */
  record Layer(
      Norm ln1,
      Linear query,
      Linear key,
      Linear value,
      Linear out,
      Norm ln2,
      Linear fc,
      Linear proj,
      Linear gate,
      Linear up,
      Linear down) {}

  /** Copies the model's current weights. */
  CachedWeights(GPT model) {
    GPTConfig config = model.config();
    Map<String, INDArray> p = model.parameters();
    wte = floats(p.get(Names.WTE));
    wpe = config.positionalEncoding().addsTable()
        ? floats(model.sameDiff().getArrForVarName(Names.WPE))
        : null;
    wHead = rows(config.tieEmbeddings() ? p.get(Names.WTE).transpose() : p.get(Names.LM_HEAD_W));
    layers = new Layer[config.nLayer()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = new Layer(
          norm(p, Names.ln1(i)),
          linear(p, Names.wQ(i), Names.bQ(i)),
          linear(p, Names.wK(i), Names.bK(i)),
          linear(p, Names.wV(i), Names.bV(i)),
          linear(p, Names.wO(i), Names.bO(i)),
          norm(p, Names.ln2(i)),
          linear(p, Names.wFc(i), Names.bFc(i)),
          linear(p, Names.wProj(i), Names.bProj(i)),
          linear(p, Names.wGate(i), Names.bGate(i)),
          linear(p, Names.wUp(i), Names.bUp(i)),
          linear(p, Names.wDown(i), Names.bDown(i)));
    }
    lnF = norm(p, Names.LN_F);
  }

  /** The linear layer of weight w and bias b; null when the model has no weight w. */
  private static Linear linear(Map<String, INDArray> p, String w, String b) {
    return p.get(w) == null ? null : new Linear(rows(p.get(w)), floats(p.get(b)));
  }

  /** The norm of a scope ("h0/ln_1", "ln_f"). */
  private static Norm norm(Map<String, INDArray> p, String scope) {
    return new Norm(floats(p.get(Names.gamma(scope))), floats(p.get(Names.beta(scope))));
  }

  /** A matrix [n, m] as n row arrays of m floats (null for null). */
  private static float[][] rows(INDArray a) {
    if (a == null) {
      return null;
    }
    int n = (int) a.size(0);
    int m = (int) a.size(1);
    float[] flat = floats(a);
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = java.util.Arrays.copyOfRange(flat, i * m, (i + 1) * m);
    }
    return rows;
  }

  private static float[] floats(INDArray a) {
    if (a == null) {
      return null;
    }
    return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }
}
