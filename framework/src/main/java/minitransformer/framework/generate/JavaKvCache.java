package minitransformer.framework.generate;

import static minitransformer.framework.generate.RowKernels.add;
import static minitransformer.framework.generate.RowKernels.linear;
import static minitransformer.framework.generate.RowKernels.rmsNormalizeHeads;

import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.generate.CachedWeights.Layer;
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
 * <p>The arithmetic on row arrays (linear, LayerNorm, GELU, residual add) is in {@link RowKernels},
 * the weights copied from the graph in {@link CachedWeights}; this class holds the cache and the
 * order of the equations.
 *
 * <p><b>Every block variant</b> of the graph has its kernel, chosen once in the constructor:
 * LayerNorm or RMSNorm, GELU, ReLU² or SwiGLU and RoPE in {@link BlockKernels}, QK-norm and the
 * logit cap here. With grouped-query attention the cache holds the n_kv_head key/value heads only,
 * 2·L·block_size·n_kv_head·hs floats: nh / n_kv_head times less than multi-head attention (a
 * quarter at 8 query heads over 2 key heads, 1/nh with multi-query), and query head h reads
 * key/value head h / (nh / n_kv_head).
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
  private final boolean slides;
  private final BlockKernels blocks; // the norm, the MLP and RoPE as the config chooses them
  private final boolean addsTable;
  private final boolean rope;
  private final boolean qkNorm;
  private CachedWeights weights; // a snapshot of the model's weights, replaced by refresh()

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
  private final float[] scores;
  private final float[] logits;

  public JavaKvCache(GPT model) {
    this(model, model.config());
    refresh();
  }

  /**
   * A cache that takes the weights of a model never built as a graph (sampling only): each array is
   * copied, then closed, so the weights are held once. No sinusoidal table (the graph's); no refresh().
   */
  public JavaKvCache(GPTConfig config, Map<String, INDArray> parameters) {
    this(null, config);
    if (!runsWithoutGraph(config)) throw new IllegalArgumentException("a sinusoidal table is the graph's");
    weights = new CachedWeights(config, parameters, parameters.get(Names.WPE), true);
  }

  /** Whether {@link #JavaKvCache(GPTConfig, Map)} can run a model of this architecture. */
  public static boolean runsWithoutGraph(GPTConfig config) {
    return config.positionalEncoding() != PositionalEncoding.SINUSOIDAL;
  }

  private JavaKvCache(GPT model, GPTConfig config) {
    this.model = model;
    this.config = config;
    this.C = config.nEmbd();
    this.nh = config.nHead();
    this.nKv = config.nKvHead();
    this.hs = config.headSize();
    this.V = config.vocabSize();
    this.blockSize = config.blockSize();
    this.slides = config.positionalEncoding().keysAreTranslationInvariant();
    this.addsTable = config.positionalEncoding().addsTable();
    this.rope = config.positionalEncoding() == PositionalEncoding.ROPE;
    this.qkNorm = config.qkNorm();
    this.blocks = new BlockKernels(config);
    this.keys = new float[config.nLayer()][nKv * blockSize * hs];
    this.values = new float[config.nLayer()][nKv * blockSize * hs];
    this.x = new float[blockSize][C];
    this.h = new float[blockSize][C];
    this.q = new float[blockSize][C];
    this.k = new float[blockSize][nKv * hs];
    this.v = new float[blockSize][nKv * hs];
    this.y = new float[blockSize][C];
    this.scores = new float[blockSize];
    this.logits = new float[V];
  }

  /** Copies the model's current weights; needed after they change. */
  public void refresh() {
    if (model == null) throw new IllegalStateException("this cache took its weights; there is no model to read again");
    weights = new CachedWeights(model);
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
      System.arraycopy(weights.wte, id * C, x[p], 0, C);
      if (addsTable) {
        int t = t0 + p; // < block_size: a table never slides
        for (int c = 0; c < C; c++) {
          x[p][c] += weights.wpe[t * C + c];
        }
      }
    }
    for (int i = 0; i < weights.layers.length; i++) {
      Layer l = weights.layers[i];
      for (int p = 0; p < n; p++) {
        blocks.norm(x[p], l.ln1(), h[p]); // h = ln_1(x)
      }
      linear(h, n, l.query(), q); // q = h·W_Q                    (n, C) = (n, nh, hs)
      linear(h, n, l.key(), k); // k = h·W_K                      (n, n_kv·hs)
      linear(h, n, l.value(), v); // v = h·W_V                    (n, n_kv·hs)
      for (int p = 0; p < n; p++) {
        if (rope) {
          blocks.rope(q[p], k[p], t0 + p); // q = rope(q), k = rope(k) at its position
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
      linear(y, n, l.out(), h); // y·W_O
      for (int p = 0; p < n; p++) {
        add(x[p], h[p]); // x = x + attn(ln_1(x))
        blocks.norm(x[p], l.ln2(), h[p]); // h = ln_2(x)
      }
      blocks.mlp(l, h, n); // h = mlp(h)                            (n, C)
      for (int p = 0; p < n; p++) {
        add(x[p], h[p]); // x = x + mlp(ln_2(x))
      }
    }
    float[] last = h[0];
    blocks.norm(x[n - 1], weights.lnF, last); // only the last position's logits are needed
    if (weights.wHead == null) {
      RowKernels.tiedHead(last, weights.wte, logits); // (V): x · wte[id]
    } else {
      linear(new float[][] {last}, 1, weights.wHead, null, new float[][] {logits}); // (V)
    }
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
}
