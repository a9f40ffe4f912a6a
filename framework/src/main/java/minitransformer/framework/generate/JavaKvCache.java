package minitransformer.framework.generate;

import static minitransformer.framework.generate.RowKernels.add;
import static minitransformer.framework.generate.RowKernels.gelu;
import static minitransformer.framework.generate.RowKernels.layerNorm;
import static minitransformer.framework.generate.RowKernels.linear;
import static minitransformer.framework.generate.RowKernels.reluSquared;
import static minitransformer.framework.generate.RowKernels.rmsNorm;
import static minitransformer.framework.generate.RowKernels.rmsNormalizeHeads;
import static minitransformer.framework.generate.RowKernels.rotate;
import static minitransformer.framework.generate.RowKernels.siluTimes;

import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.Names;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.blocks.Rotary;
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
 * <p><b>Every block variant</b> of the graph has its kernel here, chosen once in the constructor:
 * LayerNorm or RMSNorm, GELU, ReLU² or SwiGLU, RoPE, QK-norm, the logit cap. With grouped-query
 * attention the cache holds the n_kv_head key/value heads only, 2·L·block_size·n_kv_head·hs floats:
 * nh / n_kv_head times less than multi-head attention (a quarter at 8 query heads over 2 key heads,
 * 1/nh with multi-query), and query head h reads key/value head h / (nh / n_kv_head).
 *
 * <p><b>Sliding past the block.</b> With rope (or no positions at all) a cached key does not
 * depend on where the window starts: rope rotates q at position t and k at position s, and their
 * product depends on s - t only. The cache then keeps positions as absolute numbers that grow past
 * block_size, stores position s in slot s mod block_size, and {@link #append} at a full cache
 * overwrites the oldest position, at the cost of one cached step ({@link #slides()}). Every position
 * then attends to the last block_size positions at every layer: exactly sliding-window attention
 * over the whole text (Mistral's rolling buffer cache), which equals the full forward pass on the
 * last block_size tokens for one layer only, since deeper cached keys were computed while older
 * tokens were still in view (KvCacheOptionsTest proves both). With a learned or sinusoidal table
 * every key depends on its absolute position, so a full cache must be re-filled ({@link CachedSampler}).
 *
 * <p><b>Weights are a snapshot</b>: copied from the model's arrays (float32) when the cache is made
 * and again by {@link #refresh()}; change the model's weights, then call refresh.
 */
public final class JavaKvCache implements KvCache {
  private final GPT model;
  private final GPTConfig config;
  private final int C;
  private final int nh;
  private final int nKv;
  private final int hs;
  private final int V;
  private final int blockSize;
  private final int hidden;
  private final boolean slides;
  private final Norm norm;
  private final Mlp mlp;
  private final boolean addsTable;
  private final boolean rope;
  private final boolean qkNorm;
  private final double[] inverseFrequency; // (hs/2) θ_i = rope_theta^(-2i/hs), rope only

  // Weights, [in, out] as in the model, one Java array per row; lm head as [C, V] (wteᵀ when tied).
  private float[] wte;
  private float[] wpe;
  private float[][] wHead;
  private Layer[] layers;
  private float[] lnFGamma;
  private float[] lnFBeta;

  // The cache: per layer, keys and values [n_kv, block_size, hs]; position s in slot s mod block_size.
  private final float[][] keys;
  private final float[][] values;
  private int length; // positions cached, 0 .. block_size
  private int position; // the absolute position of the next token read

  // Work arrays, one row per position being read, reused by every call.
  private final float[][] x; // (block_size, C) the residual stream
  private final float[][] h; // (block_size, C) a norm's output, then a sublayer's
  private final float[][] q; // (block_size, C) queries
  private final float[][] k; // (block_size, n_kv·hs) new keys
  private final float[][] v; // (block_size, n_kv·hs) new values
  private final float[][] y; // (block_size, C) the heads' outputs
  private final float[][] hiddenRows; // (block_size, hidden)
  private final float[][] gateRows; // (block_size, hidden), SwiGLU's up projection
  private final float[] cos; // (hs/2) at one position
  private final float[] sin;
  private final float[] scores;
  private final float[] logits;

  private static final class Layer {
    float[] ln1Gamma, ln1Beta, bQ, bK, bV, bO, ln2Gamma, ln2Beta, bFc, bProj, bGate, bUp, bDown;
    float[][] wQ, wK, wV, wO, wFc, wProj, wGate, wUp, wDown;
  }

  /** A norm of one row (LayerNorm or RMSNorm, as model.norm). */
  private interface Norm {
    void apply(float[] in, float[] gamma, float[] beta, float[] out);
  }

  /** The MLP of n rows h -> h (as model.mlp). */
  private interface Mlp {
    void apply(Layer l, int n);
  }

  public JavaKvCache(GPT model) {
    this.model = model;
    this.config = model.config();
    this.C = config.nEmbd();
    this.nh = config.nHead();
    this.nKv = config.nKvHead();
    this.hs = config.headSize();
    this.V = config.vocabSize();
    this.blockSize = config.blockSize();
    this.hidden = config.mlpHidden();
    this.slides = config.positionalEncoding().keysAreTranslationInvariant();
    this.addsTable = config.positionalEncoding().addsTable();
    this.rope = config.positionalEncoding() == PositionalEncoding.ROPE;
    this.qkNorm = config.qkNorm();
    double eps = config.normEps();
    this.norm = config.norm() == NormKind.RMSNORM
        ? (in, gamma, beta, out) -> rmsNorm(in, gamma, beta, out, eps)
        : (in, gamma, beta, out) -> layerNorm(in, gamma, beta, out, eps);
    this.mlp = switch (config.mlp()) {
      case GELU -> (l, n) -> activationMlp(l, n, RowKernels::gelu);
      case RELU2 -> (l, n) -> activationMlp(l, n, RowKernels::reluSquared);
      case SWIGLU -> this::swiGlu;
    };
    this.inverseFrequency = new double[hs / 2];
    double[][] angleOne = Rotary.angles(2, hs, config.ropeTheta()); // row 1: 1·θ_i
    System.arraycopy(angleOne[1], 0, inverseFrequency, 0, hs / 2);
    this.keys = new float[config.nLayer()][nKv * blockSize * hs];
    this.values = new float[config.nLayer()][nKv * blockSize * hs];
    this.x = new float[blockSize][C];
    this.h = new float[blockSize][C];
    this.q = new float[blockSize][C];
    this.k = new float[blockSize][nKv * hs];
    this.v = new float[blockSize][nKv * hs];
    this.y = new float[blockSize][C];
    this.hiddenRows = new float[blockSize][hidden];
    this.gateRows = config.mlp() == MlpKind.SWIGLU ? new float[blockSize][hidden] : null;
    this.cos = new float[hs / 2];
    this.sin = new float[hs / 2];
    this.scores = new float[blockSize];
    this.logits = new float[V];
    refresh();
  }

  /** Copies the model's current weights; needed after they change. */
  public void refresh() {
    Map<String, INDArray> p = model.parameters();
    wte = floats(p.get(Names.WTE));
    wpe = addsTable ? floats(model.sameDiff().getArrForVarName(Names.WPE)) : null;
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
      l.wGate = rows(p.get(Names.wGate(i)));
      l.bGate = floats(p.get(Names.bGate(i)));
      l.wUp = rows(p.get(Names.wUp(i)));
      l.bUp = floats(p.get(Names.bUp(i)));
      l.wDown = rows(p.get(Names.wDown(i)));
      l.bDown = floats(p.get(Names.bDown(i)));
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
    position = 0;
    return read(ids);
  }

  @Override
  public double[] append(int id) {
    if (length == 0 || (length >= blockSize && !slides)) {
      throw new IllegalStateException(
          "append needs 1 to block_size - 1 (" + (blockSize - 1) + ") cached positions, has " + length);
    }
    return read(new int[] {id});
  }

  @Override
  public boolean slides() {
    return slides;
  }

  /**
   * Reads ids at absolute positions position .. position+n-1, caching their keys and values; the
   * logits after the last. Only a single token (append) can wrap around the slots.
   */
  private double[] read(int[] ids) {
    for (int id : ids) {
      if (id < 0 || id >= V) {
        throw new IllegalArgumentException("token id " + id + " outside [0, vocab_size = " + V + ")");
      }
    }
    int n = ids.length;
    int t0 = position;
    // x = wte[id] (+ wpe[t])                                          (n, C)
    for (int p = 0; p < n; p++) {
      int id = ids[p];
      System.arraycopy(wte, id * C, x[p], 0, C);
      if (addsTable) {
        int t = t0 + p; // < block_size: a table never slides
        for (int c = 0; c < C; c++) {
          x[p][c] += wpe[t * C + c];
        }
      }
    }
    for (int i = 0; i < layers.length; i++) {
      Layer l = layers[i];
      for (int p = 0; p < n; p++) {
        norm.apply(x[p], l.ln1Gamma, l.ln1Beta, h[p]); // h = ln_1(x)
      }
      linear(h, n, l.wQ, l.bQ, q); // q = h·W_Q                   (n, C) = (n, nh, hs)
      linear(h, n, l.wK, l.bK, k); // k = h·W_K                   (n, n_kv·hs)
      linear(h, n, l.wV, l.bV, v); // v = h·W_V                   (n, n_kv·hs)
      for (int p = 0; p < n; p++) {
        if (rope) {
          angles(t0 + p);
          rotate(q[p], nh, hs, cos, sin); // q = rope(q) at its position
          rotate(k[p], nKv, hs, cos, sin); // k = rope(k)
        }
        if (qkNorm) {
          rmsNormalizeHeads(q[p], nh, hs, config.normEps()); // q = rms(q) per head
          rmsNormalizeHeads(k[p], nKv, hs, config.normEps()); // k = rms(k) per head
        }
      }
      toCache(k, n, t0, keys[i]);
      toCache(v, n, t0, values[i]);
      for (int p = 0; p < n; p++) {
        attend(q[p], t0 + p, keys[i], values[i], y[p]); // y = concat_heads(softmax(q·kᵀ/√hs)·v)
      }
      linear(y, n, l.wO, l.bO, h); // y·W_O
      for (int p = 0; p < n; p++) {
        add(x[p], h[p]); // x = x + attn(ln_1(x))
        norm.apply(x[p], l.ln2Gamma, l.ln2Beta, h[p]); // h = ln_2(x)
      }
      mlp.apply(l, n); // h = mlp(h)                                (n, C)
      for (int p = 0; p < n; p++) {
        add(x[p], h[p]); // x = x + mlp(ln_2(x))
      }
    }
    float[] last = h[0];
    norm.apply(x[n - 1], lnFGamma, lnFBeta, last); // only the last position's logits are needed
    linear(new float[][] {last}, 1, wHead, null, new float[][] {logits}); // (V)
    position = t0 + n;
    length = Math.min(position, blockSize);
    double cap = config.logitSoftcap();
    double[] out = new double[V];
    for (int c = 0; c < V; c++) {
      out[c] = cap == 0.0 ? logits[c] : (float) (cap * Math.tanh(logits[c] / cap)); // cap·tanh(logits/cap)
    }
    return out;
  }

  @Override
  public int length() {
    return length;
  }

  /**
   * Floats held for keys and values, 2·L·block_size·n_kv_head·hs: with grouped-query attention
   * nh / n_kv_head times fewer than with one key/value head per query head.
   */
  public long cachedFloats() {
    return 2L * keys.length * keys[0].length;
  }

  /** h (n, C) -> act(h·W_fc + b_fc)·W_proj + b_proj (n, C): GELU or ReLU². */
  private void activationMlp(Layer l, int n, java.util.function.Consumer<float[]> activation) {
    linear(h, n, l.wFc, l.bFc, hiddenRows); // (n, hidden)
    for (int p = 0; p < n; p++) {
      activation.accept(hiddenRows[p]);
    }
    linear(hiddenRows, n, l.wProj, l.bProj, h); // (n, C)
  }

  /** h (n, C) -> (SiLU(h·W_gate) ⊙ h·W_up)·W_down (n, C). */
  private void swiGlu(Layer l, int n) {
    linear(h, n, l.wGate, l.bGate, hiddenRows); // (n, hidden)
    linear(h, n, l.wUp, l.bUp, gateRows); // (n, hidden)
    for (int p = 0; p < n; p++) {
      siluTimes(hiddenRows[p], gateRows[p]);
    }
    linear(hiddenRows, n, l.wDown, l.bDown, h); // (n, C)
  }

  /** cos and sin of t·θ_i, rounded to float as the graph's tables are. */
  private void angles(int t) {
    for (int i = 0; i < cos.length; i++) {
      double angle = t * inverseFrequency[i];
      cos[i] = (float) Math.cos(angle);
      sin[i] = (float) Math.sin(angle);
    }
  }

  /** Row p of rows (n, n_kv·hs) goes to cache[head, slot of t0 + p, :] for each key/value head. */
  private void toCache(float[][] rows, int n, int t0, float[] cache) {
    for (int p = 0; p < n; p++) {
      int slot = (t0 + p) % blockSize;
      for (int head = 0; head < nKv; head++) {
        System.arraycopy(rows[p], head * hs, cache, (head * blockSize + slot) * hs, hs);
      }
    }
  }

  /**
   * One position t's attention over the cached positions max(0, t - block_size + 1) .. t (its own
   * key and value already in the cache; no mask needed, every cached key is in its past): out =
   * concat over heads of softmax(q·kᵀ/√hs)·v, query head h reading key/value head h / (nh / n_kv).
   */
  private void attend(float[] qt, int t, float[] K, float[] Vc, float[] out) {
    float scale = (float) (1.0 / Math.sqrt(hs));
    int first = Math.max(0, t - blockSize + 1);
    int group = nh / nKv;
    java.util.Arrays.fill(out, 0f);
    for (int head = 0; head < nh; head++) {
      int qOff = head * hs;
      int kvHead = head / group;
      float max = Float.NEGATIVE_INFINITY;
      for (int s = first; s <= t; s++) {
        int kOff = (kvHead * blockSize + s % blockSize) * hs;
        float dot = 0f;
        for (int d = 0; d < hs; d++) {
          dot += qt[qOff + d] * K[kOff + d];
        }
        scores[s - first] = dot * scale;
        max = Math.max(max, scores[s - first]);
      }
      float sum = 0f;
      for (int s = first; s <= t; s++) {
        scores[s - first] = (float) Math.exp(scores[s - first] - max);
        sum += scores[s - first];
      }
      for (int s = first; s <= t; s++) {
        float a = scores[s - first] / sum;
        int vOff = (kvHead * blockSize + s % blockSize) * hs;
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
