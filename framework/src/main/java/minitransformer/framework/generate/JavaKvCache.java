package minitransformer.framework.generate;

import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.blocks.LayerNorm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The decoding step of {@link SameDiffKvCache} written as plain Java loops over float arrays: the
 * same equations, in the same order, for one token at a time.
 *
 * <p>Why not SameDiff or ND4J ops for the step: one token at this model size is about 0.8 M
 * multiply-adds, under a millisecond of arithmetic, but one step is about 170 graph ops, and each
 * SameDiff op costs tens of microseconds of session bookkeeping, and even a direct ND4J call (a
 * preallocated 1x128·128x128 gemm, an in-place add) costs more than the whole product in a Java loop
 * (measured in the benchmark notes). So the overhead, not the arithmetic, would set the speed. The
 * training graph and the prefill stay in SameDiff; {@code KvCacheTest} proves this path equal to
 * the full forward pass within 1e-5 at every position.
 *
 * <p><b>Weights are a snapshot</b>: copied from the model's arrays (float32) when the cache is made
 * and again by {@link #refresh()}; change the model's weights, then call refresh.
 *
 * <p>{@link #prefill} runs the batched SameDiff prefill graph ({@link SameDiffKvCache}) and copies
 * its keys and values into the cache; one token is read by the Java step.
 */
public final class JavaKvCache implements KvCache {
  private final GPT model;
  private final GPTConfig config;
  private final int C;
  private final int nh;
  private final int hs;
  private final int V;
  private final int blockSize;
  private final SameDiffKvCache prefiller;

  // Weights, [in, out] row-major as in the model; lm head as [C, V] (wteᵀ when tied).
  private float[] wte;
  private float[] wpe;
  private float[] wHead;
  private Layer[] layers;
  private float[] lnFGamma;
  private float[] lnFBeta;

  // The cache: per layer, keys and values [nh, block_size, hs].
  private final float[][] keys;
  private final float[][] values;
  private int length;

  // Work arrays, reused by every step.
  private final float[] x;
  private final float[] h;
  private final float[] q;
  private final float[] y;
  private final float[] hidden;
  private final float[] scores;
  private final float[] logits;

  private static final class Layer {
    float[] ln1Gamma, ln1Beta, wQ, bQ, wK, bK, wV, bV, wO, bO, ln2Gamma, ln2Beta, wFc, bFc, wProj, bProj;
  }

  public JavaKvCache(GPT model) {
    this.model = model;
    this.config = model.config();
    this.C = config.nEmbd();
    this.nh = config.nHead();
    this.hs = config.headSize();
    this.V = config.vocabSize();
    this.blockSize = config.blockSize();
    this.prefiller = new SameDiffKvCache(model);
    this.keys = new float[config.nLayer()][nh * blockSize * hs];
    this.values = new float[config.nLayer()][nh * blockSize * hs];
    this.x = new float[C];
    this.h = new float[C];
    this.q = new float[C];
    this.y = new float[C];
    this.hidden = new float[4 * C];
    this.scores = new float[blockSize];
    this.logits = new float[V];
    refresh();
  }

  /** Copies the model's current weights; needed after they change. */
  public void refresh() {
    Map<String, INDArray> p = model.parameters();
    wte = floats(p.get(Names.WTE));
    wpe = floats(model.sameDiff().getArrForVarName(Names.WPE));
    wHead = config.tieEmbeddings() ? floats(p.get(Names.WTE).transpose()) : floats(p.get(Names.LM_HEAD_W));
    layers = new Layer[config.nLayer()];
    for (int i = 0; i < layers.length; i++) {
      Layer l = new Layer();
      l.ln1Gamma = floats(p.get(Names.gamma(Names.ln1(i))));
      l.ln1Beta = floats(p.get(Names.beta(Names.ln1(i))));
      l.wQ = floats(p.get(Names.wQ(i)));
      l.bQ = floats(p.get(Names.bQ(i)));
      l.wK = floats(p.get(Names.wK(i)));
      l.bK = floats(p.get(Names.bK(i)));
      l.wV = floats(p.get(Names.wV(i)));
      l.bV = floats(p.get(Names.bV(i)));
      l.wO = floats(p.get(Names.wO(i)));
      l.bO = floats(p.get(Names.bO(i)));
      l.ln2Gamma = floats(p.get(Names.gamma(Names.ln2(i))));
      l.ln2Beta = floats(p.get(Names.beta(Names.ln2(i))));
      l.wFc = floats(p.get(Names.wFc(i)));
      l.bFc = floats(p.get(Names.bFc(i)));
      l.wProj = floats(p.get(Names.wProj(i)));
      l.bProj = floats(p.get(Names.bProj(i)));
      layers[i] = l;
    }
    lnFGamma = floats(p.get(Names.gamma(Names.LN_F)));
    lnFBeta = floats(p.get(Names.beta(Names.LN_F)));
  }

  @Override
  public double[] prefill(int[] ids) {
    prefiller.prefill(ids); // checks 1 <= n <= block_size
    int n = ids.length;
    for (int i = 0; i < layers.length; i++) {
      copyCache(prefiller.keys(i), keys[i], n); // (nh, n, hs)
      copyCache(prefiller.values(i), values[i], n);
    }
    length = n;
    return prefiller.lastLogits();
  }

  @Override
  public double[] append(int id) {
    if (length == 0 || length >= blockSize) {
      throw new IllegalStateException(
          "append needs 1 to block_size - 1 (" + (blockSize - 1) + ") cached positions, has " + length);
    }
    if (id < 0 || id >= V) {
      throw new IllegalArgumentException("token id " + id + " outside [0, vocab_size = " + V + ")");
    }
    int t = length;
    // x = wte[id] + wpe[t]                                           (C)
    for (int c = 0; c < C; c++) {
      x[c] = wte[id * C + c] + wpe[t * C + c];
    }
    float scale = (float) (1.0 / Math.sqrt(hs));
    for (int i = 0; i < layers.length; i++) {
      Layer l = layers[i];
      float[] K = keys[i];
      float[] Vc = values[i];
      layerNorm(x, l.ln1Gamma, l.ln1Beta, h); // h = ln_1(x)
      linear(h, l.wQ, l.bQ, q, C, C); // q = h·W_Q                     (C) = (nh, hs)
      linear(h, l.wK, l.bK, y, C, C); // k_new -> cache row t
      for (int head = 0; head < nh; head++) {
        System.arraycopy(y, head * hs, K, (head * blockSize + t) * hs, hs);
      }
      linear(h, l.wV, l.bV, y, C, C); // v_new -> cache row t
      for (int head = 0; head < nh; head++) {
        System.arraycopy(y, head * hs, Vc, (head * blockSize + t) * hs, hs);
      }
      // per head: att = softmax(q·kᵀ/√hs) over s = 0..t; y_head = att·v  (no mask: all keys are past)
      java.util.Arrays.fill(y, 0f);
      for (int head = 0; head < nh; head++) {
        int qOff = head * hs;
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s <= t; s++) {
          int kOff = (head * blockSize + s) * hs;
          float dot = 0f;
          for (int d = 0; d < hs; d++) {
            dot += q[qOff + d] * K[kOff + d];
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
            y[qOff + d] += a * Vc[vOff + d];
          }
        }
      }
      linear(y, l.wO, l.bO, h, C, C); // concat_heads(att·v)·W_O
      for (int c = 0; c < C; c++) {
        x[c] += h[c]; // x = x + attn(ln_1(x))
      }
      layerNorm(x, l.ln2Gamma, l.ln2Beta, h); // h = ln_2(x)
      linear(h, l.wFc, l.bFc, hidden, C, 4 * C); // (4C)
      gelu(hidden);
      linear(hidden, l.wProj, l.bProj, h, 4 * C, C); // (C)
      for (int c = 0; c < C; c++) {
        x[c] += h[c]; // x = x + mlp(ln_2(x))
      }
    }
    layerNorm(x, lnFGamma, lnFBeta, h);
    linear(h, wHead, null, logits, C, V); // (V)
    length++;
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

  /** out = in·W (+ b); W [n, m] row-major. The inner loop is an axpy over W's rows, which the JIT vectorises. */
  private static void linear(float[] in, float[] w, float[] b, float[] out, int n, int m) {
    if (b == null) {
      java.util.Arrays.fill(out, 0, m, 0f);
    } else {
      System.arraycopy(b, 0, out, 0, m);
    }
    for (int i = 0; i < n; i++) {
      float xi = in[i];
      int row = i * m;
      for (int j = 0; j < m; j++) {
        out[j] += xi * w[row + j];
      }
    }
  }

  /** LayerNorm as the graph's: biased variance, ε = 1e-5; statistics in double. */
  private void layerNorm(float[] in, float[] gamma, float[] beta, float[] out) {
    double mu = 0.0;
    for (int c = 0; c < C; c++) {
      mu += in[c];
    }
    mu /= C;
    double var = 0.0;
    for (int c = 0; c < C; c++) {
      double d = in[c] - mu;
      var += d * d;
    }
    var /= C;
    double inv = 1.0 / Math.sqrt(var + LayerNorm.EPS);
    for (int c = 0; c < C; c++) {
      float xHat = (float) ((in[c] - mu) * inv);
      out[c] = beta == null ? xHat * gamma[c] : xHat * gamma[c] + beta[c];
    }
  }

  /** GPT-2's tanh GELU, in place. */
  private static void gelu(float[] z) {
    final double k = Math.sqrt(2.0 / Math.PI);
    for (int i = 0; i < z.length; i++) {
      double v = z[i];
      z[i] = (float) (0.5 * v * (1.0 + Math.tanh(k * (v + 0.044715 * v * v * v))));
    }
  }

  /** Copies n positions of a [nh, n, hs] array into a [nh, block_size, hs] cache. */
  private void copyCache(INDArray from, float[] to, int n) {
    float[] src = floats(from);
    for (int head = 0; head < nh; head++) {
      System.arraycopy(src, head * n * hs, to, head * blockSize * hs, n * hs);
    }
  }

  private static float[] floats(INDArray a) {
    if (a == null) {
      return null;
    }
    return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }
}
