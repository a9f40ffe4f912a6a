package minitransformer.framework.generate;

import java.nio.FloatBuffer;
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
  // [in, out] as in the model, one Java array per row; lm head as [C, V], null when tied (wte's rows are
  // the head's columns then: logits[id] = x · wte[id], with no second copy of the largest table).
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

  private final boolean release; // close each array once copied

  /** Copies the model's current weights. */
  CachedWeights(GPT model) {
    this(model.config(), model.parameters(),
        model.config().positionalEncoding().addsTable() ? model.sameDiff().getArrForVarName(Names.WPE) : null, false);
  }

  /**
   * Copies the weights p of a model of architecture config, and wpe its position table (null without
   * one); with release, each array is closed as soon as it is copied (the caller gives them up), so the
   * weights are never held twice over.
   */
  CachedWeights(GPTConfig config, Map<String, INDArray> p, INDArray wpeTable, boolean release) {
    this.release = release;
    wte = floats(p.get(Names.WTE));
    wpe = config.positionalEncoding().addsTable() ? floats(wpeTable) : null;
    wHead = config.tieEmbeddings() ? null : rows(p.get(Names.LM_HEAD_W));
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
  private Linear linear(Map<String, INDArray> p, String w, String b) {
    INDArray weight = p.get(w); // once: a map that reads on demand makes a new array per get
    return weight == null ? null : new Linear(rows(weight), floats(p.get(b)));
  }

  /** The norm of a scope ("h0/ln_1", "ln_f"). */
  private Norm norm(Map<String, INDArray> p, String scope) {
    return new Norm(floats(p.get(Names.gamma(scope))), floats(p.get(Names.beta(scope))));
  }

  /**
   * A matrix [n, m] as n row arrays of m floats (null for null), each copied straight from the array's
   * native memory: one copy of the weights on the heap, none in between.
   */
  private float[][] rows(INDArray a) {
    if (a == null) {
      return null;
    }
    int n = (int) a.size(0);
    int m = (int) a.size(1);
    INDArray c = contiguous(a);
    FloatBuffer flat = c.data().asNioFloat();
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = new float[m];
      flat.get(i * m, rows[i]);
    }
    done(a, c);
    return rows;
  }

  private float[] floats(INDArray a) {
    if (a == null) {
      return null;
    }
    float[] out = new float[(int) a.length()];
    INDArray c = contiguous(a);
    c.data().asNioFloat().get(0, out);
    done(a, c);
    return out;
  }

  /** Closes a copy made for reading, and the array itself when the weights were given up. */
  private void done(INDArray a, INDArray read) {
    if (read != a) read.close();
    if (release && !a.wasClosed()) a.close();
  }

  /** a itself when it is float32 in C order over the whole of its buffer (the graph's arrays), else a copy. */
  private static INDArray contiguous(INDArray a) {
    boolean whole = a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() && a.offset() == 0
        && a.data().length() == a.length();
    return whole ? a : a.castTo(DataType.FLOAT).dup('c');
  }
}
