package minitransformer.framework.generate;

import static minitransformer.framework.generate.RowKernels.add;
import static minitransformer.framework.generate.RowKernels.gelu;
import static minitransformer.framework.generate.RowKernels.layerNorm;
import static minitransformer.framework.generate.RowKernels.linear;

import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The KV cache: {@link GPT}'s forward pass written as plain Java loops over float arrays, the same
 * equations in the same order, for the positions being read, with each block's keys and values kept.
 *
 * <p>Why not SameDiff or ND4J ops: one token at this model size is about 0.8 M multiply-adds, well
 * under a millisecond of arithmetic, but one step is about 170 graph ops, and each SameDiff op costs
 * tens of microseconds of session bookkeeping, and even a direct ND4J call (a preallocated
 * 1x128·128x128 gemm, an in-place add) costs more than the whole product in a Java loop (measured in
 * the benchmark notes). So the overhead, not the arithmetic, would set the speed. The training graph
 * stays in SameDiff. (A KV cache built as two SameDiff graphs sharing the model's arrays was tried and
 * deleted: 47 tokens/s against this cache's 1,478 on the char model.) {@code KvCacheTest} proves this path equal to the full forward pass within 1e-5
 * at every position, after a prefill of any length and after appends.
 *
 * <p>{@link #prefill} and {@link #append} are one computation: the new positions go through the
 * layers one layer at a time, every linear layer over all of them at once (so a weight row is read
 * once per prefill, not once per token), and each position attends to the cached keys and values of
 * the positions before it and to its own.
 *
 * <p>The arithmetic on row arrays (linear, LayerNorm, GELU, residual add) is in {@link RowKernels};
 * this class holds the weights, the cache and the order of the equations.
 *
 * <p><b>Weights are a snapshot</b>: copied from the model's arrays (float32) when the cache is made
 * and again by {@link #refresh()}; change the model's weights, then call refresh.
 */
public final class JavaKvCache implements KvCache {
  private final GPT model;
  private final GPTConfig config;
  private final int C;
  private final int nh;
  private final int hs;
  private final int V;
  private final int blockSize;

  // Weights, [in, out] as in the model, one Java array per row; lm head as [C, V] (wteᵀ when tied).
  private float[] wte;
  private float[] wpe;
  private float[][] wHead;
  private Layer[] layers;
  private float[] lnFGamma;
  private float[] lnFBeta;

  // The cache: per layer, keys and values [nh, block_size, hs].
  private final float[][] keys;
  private final float[][] values;
  private int length;

  // Work arrays, one row per position being read, reused by every call.
  private final float[][] x; // (block_size, C) the residual stream
  private final float[][] h; // (block_size, C) a LayerNorm's output, then a sublayer's
  private final float[][] q; // (block_size, C) queries
  private final float[][] y; // (block_size, C) new keys, new values, then the heads' outputs
  private final float[][] hidden; // (block_size, 4C)
  private final float[] scores;
  private final float[] logits;

  private static final class Layer {
    float[] ln1Gamma, ln1Beta, bQ, bK, bV, bO, ln2Gamma, ln2Beta, bFc, bProj;
    float[][] wQ, wK, wV, wO, wFc, wProj;
  }

  public JavaKvCache(GPT model) {
    this.model = model;
    this.config = model.config();
    this.C = config.nEmbd();
    this.nh = config.nHead();
    this.hs = config.headSize();
    this.V = config.vocabSize();
    this.blockSize = config.blockSize();
    this.keys = new float[config.nLayer()][nh * blockSize * hs];
    this.values = new float[config.nLayer()][nh * blockSize * hs];
    this.x = new float[blockSize][C];
    this.h = new float[blockSize][C];
    this.q = new float[blockSize][C];
    this.y = new float[blockSize][C];
    this.hidden = new float[blockSize][4 * C];
    this.scores = new float[blockSize];
    this.logits = new float[V];
    refresh();
  }

  /** Copies the model's current weights; needed after they change. */
  public void refresh() {
    Map<String, INDArray> p = model.parameters();
    wte = floats(p.get(Names.WTE));
    wpe = floats(model.sameDiff().getArrForVarName(Names.WPE));
    wHead = rows(config.tieEmbeddings() ? p.get(Names.WTE).transpose() : p.get(Names.LM_HEAD_W));
    layers = new Layer[config.nLayer()];
    for (int i = 0; i < layers.length; i++) {
      Layer l = new Layer();
      l.ln1Gamma = floats(p.get(Names.gamma(Names.ln1(i))));
      l.ln1Beta = floats(p.get(Names.beta(Names.ln1(i))));
      l.wQ = rows(p.get(Names.wQ(i)));
      l.bQ = floats(p.get(Names.bQ(i)));
      l.wK = rows(p.get(Names.wK(i)));
      l.bK = floats(p.get(Names.bK(i)));
      l.wV = rows(p.get(Names.wV(i)));
      l.bV = floats(p.get(Names.bV(i)));
      l.wO = rows(p.get(Names.wO(i)));
      l.bO = floats(p.get(Names.bO(i)));
      l.ln2Gamma = floats(p.get(Names.gamma(Names.ln2(i))));
      l.ln2Beta = floats(p.get(Names.beta(Names.ln2(i))));
      l.wFc = rows(p.get(Names.wFc(i)));
      l.bFc = floats(p.get(Names.bFc(i)));
      l.wProj = rows(p.get(Names.wProj(i)));
      l.bProj = floats(p.get(Names.bProj(i)));
      layers[i] = l;
    }
    lnFGamma = floats(p.get(Names.gamma(Names.LN_F)));
    lnFBeta = floats(p.get(Names.beta(Names.LN_F)));
  }

  @Override
  public double[] prefill(int[] ids) {
    if (ids.length < 1 || ids.length > blockSize) {
      throw new IllegalArgumentException(
          "prefill needs 1 to block_size (" + blockSize + ") tokens, got " + ids.length);
    }
    length = 0;
    return read(ids);
  }

  @Override
  public double[] append(int id) {
    if (length == 0 || length >= blockSize) {
      throw new IllegalStateException(
          "append needs 1 to block_size - 1 (" + (blockSize - 1) + ") cached positions, has " + length);
    }
    return read(new int[] {id});
  }

  /** Reads ids at positions length .. length+n-1, caching their keys and values; the logits after the last. */
  private double[] read(int[] ids) {
    for (int id : ids) {
      if (id < 0 || id >= V) {
        throw new IllegalArgumentException("token id " + id + " outside [0, vocab_size = " + V + ")");
      }
    }
    int n = ids.length;
    int t0 = length;
    // x = wte[id] + wpe[t]                                           (n, C)
    for (int p = 0; p < n; p++) {
      int id = ids[p];
      int t = t0 + p;
      for (int c = 0; c < C; c++) {
        x[p][c] = wte[id * C + c] + wpe[t * C + c];
      }
    }
    for (int i = 0; i < layers.length; i++) {
      Layer l = layers[i];
      for (int p = 0; p < n; p++) {
        layerNorm(x[p], l.ln1Gamma, l.ln1Beta, config.layerNormEps(), h[p]); // h = ln_1(x)
      }
      linear(h, n, l.wQ, l.bQ, q); // q = h·W_Q                   (n, C) = (n, nh, hs)
      linear(h, n, l.wK, l.bK, y); // k = h·W_K -> cache rows t0 .. t0+n-1
      toCache(y, n, t0, keys[i]);
      linear(h, n, l.wV, l.bV, y); // v = h·W_V -> cache rows
      toCache(y, n, t0, values[i]);
      for (int p = 0; p < n; p++) {
        attend(q[p], t0 + p, keys[i], values[i], y[p]); // y = concat_heads(softmax(q·kᵀ/√hs)·v)
      }
      linear(y, n, l.wO, l.bO, h); // y·W_O
      for (int p = 0; p < n; p++) {
        add(x[p], h[p]); // x = x + attn(ln_1(x))
        layerNorm(x[p], l.ln2Gamma, l.ln2Beta, config.layerNormEps(), h[p]); // h = ln_2(x)
      }
      linear(h, n, l.wFc, l.bFc, hidden); // (n, 4C)
      for (int p = 0; p < n; p++) {
        gelu(hidden[p]);
      }
      linear(hidden, n, l.wProj, l.bProj, h); // (n, C)
      for (int p = 0; p < n; p++) {
        add(x[p], h[p]); // x = x + mlp(ln_2(x))
      }
    }
    float[] last = h[0];
    layerNorm(x[n - 1], lnFGamma, lnFBeta, config.layerNormEps(), last); // only the last position's logits are needed
    linear(new float[][] {last}, 1, wHead, null, new float[][] {logits}); // (V)
    length = t0 + n;
    double[] out = new double[V];
    for (int v = 0; v < V; v++) {
      out[v] = logits[v];
    }
    return out;
  }

  @Override
  public int length() {
    return length;
  }

  /** Row p of rows (n, C) = (n, nh, hs) goes to cache[head, t0 + p, :] for each head. */
  private void toCache(float[][] rows, int n, int t0, float[] cache) {
    for (int p = 0; p < n; p++) {
      for (int head = 0; head < nh; head++) {
        System.arraycopy(rows[p], head * hs, cache, (head * blockSize + t0 + p) * hs, hs);
      }
    }
  }

  /**
   * One position t's attention over the cached positions 0..t (its own key and value already in
   * the cache; no mask needed, every cached key is in its past): out = concat over heads of
   * softmax(q·kᵀ/√hs)·v.
   */
  private void attend(float[] qt, int t, float[] K, float[] Vc, float[] out) {
    float scale = (float) (1.0 / Math.sqrt(hs));
    java.util.Arrays.fill(out, 0f);
    for (int head = 0; head < nh; head++) {
      int qOff = head * hs;
      float max = Float.NEGATIVE_INFINITY;
      for (int s = 0; s <= t; s++) {
        int kOff = (head * blockSize + s) * hs;
        float dot = 0f;
        for (int d = 0; d < hs; d++) {
          dot += qt[qOff + d] * K[kOff + d];
        }
        scores[s] = dot * scale;
        max = Math.max(max, scores[s]);
      }
      float sum = 0f;
      for (int s = 0; s <= t; s++) {
        scores[s] = (float) Math.exp(scores[s] - max);
        sum += scores[s];
      }
      for (int s = 0; s <= t; s++) {
        float a = scores[s] / sum;
        int vOff = (head * blockSize + s) * hs;
        for (int d = 0; d < hs; d++) {
          out[qOff + d] += a * Vc[vOff + d];
        }
      }
    }
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
