package minitransformer.framework.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import minitransformer.framework.PositionalEncoding;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention of block {@code layer} at one query position t, recomputed step by step in plain Java
 * (double precision) from the block's input and its learned matrices, as the textbook calculation:
 *
 * <pre>
 *   x̂ = ln_1(x)                              x: the residual stream entering the block, row t and every earlier row
 *                                            (LayerNorm or RMSNorm, model.norm with model.norm_eps)
 *   q = x̂_t·W_Q + b_Q,  k_s = x̂_s·W_K + b_K,  v_s = x̂_s·W_V + b_V      q in nh heads, k and v in n_kv heads of hs = C / nh
 *   rope:      q, k_s rotated by t·θ_i, s·θ_i, pair (i, i + hs/2)      only with positional_encoding rope
 *   qk_norm:   q, k_s = q / rms(q), k_s / rms(k_s)                      only with qk_norm
 *   per head h (key/value head g = h / (nh / n_kv)):
 *              dot_s = q·k_s,  score_s = dot_s / √hs  (s <= t),  score_s = -∞ (s > t, the causal mask)
 *              w = softmax(score),  contribution_s = w_s·v_s,  head output = Σ_s contribution_s
 *   y = concat(head outputs)·W_O + b_O;  x_t + y is the residual after attention; + mlp(ln_2(.)) is the block output
 * </pre>
 *
 * The order of rope and QK-norm is {@link minitransformer.framework.blocks.CausalSelfAttention}'s.
 * {@link #of} also runs the graph and records how far the recomputed weights and block output are
 * from its {@link Names#attentionProbs} and {@link Names#blockOut} outputs.
 *
 * @param layer the block
 * @param position the query position t
 * @param residualIn x_t, the block's input at t (C)
 * @param normed ln_1(x_t) (C)
 * @param heads one explanation per head
 * @param concatenated the head outputs side by side (C)
 * @param projected concatenated·W_O + b_O (C)
 * @param residualOut residualIn + projected (C)
 * @param blockOut residualOut + mlp(ln_2(residualOut)), the block's output at t (C)
 * @param maxWeightDifference max |recomputed weight - graph probability| over heads and keys
 * @param maxBlockOutDifference max |blockOut - graph h{layer}/out at t| over channels
 * @param angles t·θ_i for i = 0 .. hs/2 - 1, the rotation of q at t (rope only; null otherwise)
 * @param kvHeads n_kv_head, the key/value heads (nh without grouping)
 * @param qkNorm whether q and k are RMS-normalized before the scores
 */
public record AttentionExplanation(
    int layer,
    int position,
    double[] residualIn,
    double[] normed,
    List<Head> heads,
    double[] concatenated,
    double[] projected,
    double[] residualOut,
    double[] blockOut,
    double maxWeightDifference,
    double maxBlockOutDifference,
    double[] angles,
    int kvHeads,
    boolean qkNorm) {

  /** Whether q and k are rotated (positional_encoding rope). */
  public boolean rotary() {
    return angles != null;
  }

  /** Whether query heads share key/value heads (n_kv_head < n_head). */
  public boolean grouped() {
    return kvHeads < heads.size();
  }

  /**
   * One head at query position t over keys s = 0..T-1 (keys after t are masked).
   *
   * @param query q as it meets the keys, every step applied (hs)
   * @param keys k_s for s = 0..t as they meet q (t+1, hs)
   * @param values v_s for s = 0..t (t+1, hs)
   * @param dots q·k_s for s <= t; NaN for masked keys (T)
   * @param scores dot_s / √hs for s <= t; -∞ for masked keys (T)
   * @param weights softmax of the scores; 0 for masked keys (T)
   * @param contributions w_s·v_s for s = 0..t (t+1, hs)
   * @param output Σ_s w_s·v_s (hs)
   * @param kvHead the key/value head g whose k and v this query head reads (= head without grouping)
   * @param queryProjected x̂_t·W_Q + b_Q of this head, before rope and QK-norm (hs)
   * @param keysProjected x̂_s·W_K + b_K of head g, before rope and QK-norm (t+1, hs)
   * @param queryRotated q after rope, before QK-norm (hs); null without rope
   * @param keysRotated k_s after rope, before QK-norm (t+1, hs); null without rope
   */
  public record Head(
      int head,
      double[] query,
      double[][] keys,
      double[][] values,
      double[] dots,
      double[] scores,
      double[] weights,
      double[][] contributions,
      double[] output,
      int kvHead,
      double[] queryProjected,
      double[][] keysProjected,
      double[] queryRotated,
      double[][] keysRotated) {

    /** True for a key the causal mask hides from the query (s > t). */
    public boolean masked(int key) {
      return Double.isInfinite(scores[key]);
    }

    /** |w_s·v_s|, the size of key s's contribution (0 when masked). */
    public double contributionNorm(int key) {
      return key < contributions.length ? Arrays2.norm(contributions[key]) : 0.0;
    }

    /** q as QK-norm receives it: rotated with rope, as projected without. */
    public double[] queryBeforeNorm() {
      return queryRotated != null ? queryRotated : queryProjected;
    }

    /** x̂_t·W_Q · x̂_s·W_K for s = 0..t: the dot products before rope and QK-norm. */
    public double[] projectedDots() {
      double[] d = new double[keysProjected.length];
      for (int s = 0; s < d.length; s++) {
        d[s] = Arrays2.dot(queryProjected, keysProjected[s]);
      }
      return d;
    }

    /** k_s as QK-norm receives it (s <= t). */
    public double[] keyBeforeNorm(int s) {
      return keysRotated != null ? keysRotated[s] : keysProjected[s];
    }
  }

  /**
   * Explains query position {@code position} of block {@code layer} for one sequence.
   *
   * @throws ModelConfigException naming layer or position when out of range
   */
  public static AttentionExplanation of(GPT model, int[] ids, int layer, int position) {
    GPTConfig config = model.config();
    if (layer < 0 || layer >= config.nLayer()) {
      throw new ModelConfigException(
          "layer " + layer + " does not exist (the model has layers 0.." + (config.nLayer() - 1) + ")");
    }
    if (position < 0 || position >= ids.length) {
      throw new ModelConfigException(
          "position " + position + " is outside the prompt (positions 0.." + (ids.length - 1) + ")");
    }
    int T = ids.length;
    int t = position;
    int C = config.nEmbd();
    int nh = config.nHead();
    int hs = config.headSize();
    String inputName = layer == 0 ? Names.EMBEDDINGS_OUT : Names.blockOut(layer - 1);
    Map<String, INDArray> graph =
        model.outputs(
            GPT.idsArray(ids, 1, T),
            List.of(inputName, Names.attentionProbs(layer), Names.blockOut(layer)));
    double[][] x = Arrays2.matrix(graph.get(inputName).reshape(T, C)); // (T, C)
    BlockParams p = new BlockParams(model.parameters(), layer);
    int nKv = config.nKvHead();
    boolean rope = config.positionalEncoding() == PositionalEncoding.ROPE;

    double[][] xHat = new double[t + 1][];
    double[][] k = new double[t + 1][];
    double[][] v = new double[t + 1][];
    for (int s = 0; s <= t; s++) {
      xHat[s] = BlockMath.norm(config, x[s], p.ln1Gamma, p.ln1Beta); // (C)
      k[s] = Arrays2.linear(xHat[s], p.wK, p.bK); // (n_kv·hs)
      v[s] = Arrays2.linear(xHat[s], p.wV, p.bV); // (n_kv·hs)
    }
    double[] q = Arrays2.linear(xHat[t], p.wQ, p.bQ); // (C)
    double[][] angles = new double[t + 1][];
    for (int s = 0; rope && s <= t; s++) {
      angles[s] = BlockMath.angles(s, hs, config.ropeTheta()); // (hs/2)
    }

    double[] graphProbs = Arrays2.flat(graph.get(Names.attentionProbs(layer))); // (1, nh, T, T)
    double maxWeightDifference = 0;
    List<Head> heads = new ArrayList<>();
    double[] concatenated = new double[C];
    for (int h = 0; h < nh; h++) {
      int g = h / config.queriesPerKvHead(); // as KeyValueHeads pairs them (Hugging Face's repeat_kv)
      HeadInput in = new HeadInput(h, g, Arrays2.slice(q, h * hs, hs), new double[t + 1][], new double[t + 1][]);
      for (int s = 0; s <= t; s++) {
        in.keys[s] = Arrays2.slice(k[s], g * hs, hs);
        in.values[s] = Arrays2.slice(v[s], g * hs, hs);
      }
      Head head = head(in, rope ? angles : null, config.qkNorm() ? config.normEps() : -1, T, t);
      heads.add(head);
      System.arraycopy(head.output(), 0, concatenated, h * hs, hs);
      for (int s = 0; s < T; s++) {
        double fromGraph = graphProbs[(h * T + t) * T + s];
        maxWeightDifference = Math.max(maxWeightDifference, Math.abs(head.weights()[s] - fromGraph));
      }
    }
    double[] projected = Arrays2.linear(concatenated, p.wO, p.bO); // (C)
    double[] residualOut = Arrays2.add(x[t], projected); // (C)
    double[] mlp = BlockMath.mlp(config, p, BlockMath.norm(config, residualOut, p.ln2Gamma, p.ln2Beta)); // (C)
    double[] blockOut = Arrays2.add(residualOut, mlp); // (C)
    double[] graphOut = Arrays2.slice(Arrays2.flat(graph.get(Names.blockOut(layer))), t * C, C);
    return new AttentionExplanation(
        layer, t, x[t], xHat[t], heads, concatenated, projected, residualOut, blockOut,
        maxWeightDifference, Arrays2.maxAbsDifference(blockOut, graphOut), rope ? angles[t] : null, nKv,
        config.qkNorm());
  }

  /** Query head h's projected q and its key/value head g's projected k_s and v_s, s = 0..t. */
  private record HeadInput(int head, int kvHead, double[] query, double[][] keys, double[][] values) {}

  /**
   * Head h: rope (angles[s] for position s; null without) and QK-norm (eps; negative without) on its q
   * and k_s, then scaled dot products, mask, softmax, weighted values.
   */
  private static Head head(HeadInput in, double[][] angles, double qkNormEps, int T, int t) {
    double[] qRotated = angles == null ? null : BlockMath.rotate(in.query, angles[t]);
    double[][] kRotated = angles == null ? null : new double[t + 1][];
    double[] q = qRotated == null ? in.query : qRotated;
    if (qkNormEps >= 0) {
      q = BlockMath.rmsNorm(q, null, qkNormEps);
    }
    int hs = q.length;
    double[][] keys = new double[t + 1][];
    double[] dots = new double[T];
    double[] scores = new double[T];
    double max = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < T; s++) {
      if (s > t) {
        dots[s] = Double.NaN;
        scores[s] = Double.NEGATIVE_INFINITY; // the causal mask: a query never sees later keys
        continue;
      }
      keys[s] = in.keys[s];
      if (kRotated != null) {
        kRotated[s] = BlockMath.rotate(keys[s], angles[s]);
        keys[s] = kRotated[s];
      }
      if (qkNormEps >= 0) {
        keys[s] = BlockMath.rmsNorm(keys[s], null, qkNormEps);
      }
      dots[s] = Arrays2.dot(q, keys[s]);
      scores[s] = dots[s] / Math.sqrt(hs);
      max = Math.max(max, scores[s]);
    }
    double[] weights = new double[T];
    double sum = 0;
    for (int s = 0; s <= t; s++) {
      weights[s] = Math.exp(scores[s] - max);
      sum += weights[s];
    }
    double[][] contributions = new double[t + 1][];
    double[] output = new double[hs];
    for (int s = 0; s <= t; s++) {
      weights[s] /= sum;
      contributions[s] = Arrays2.scale(in.values[s], weights[s]);
      output = Arrays2.add(output, contributions[s]);
    }
    return new Head(in.head, q, keys, in.values, dots, scores, weights, contributions, output, in.kvHead,
        in.query, in.keys, qRotated, kRotated);
  }
}
