package minitransformer.framework.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import minitransformer.framework.blocks.LayerNorm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention of block {@code layer} at one query position t, recomputed step by step in plain Java
 * (double precision) from the block's input and its learned matrices, as the textbook calculation:
 *
 * <pre>
 *   x̂ = ln_1(x)                              x: the residual stream entering the block, row t and every earlier row
 *   q = x̂_t·W_Q + b_Q,  k_s = x̂_s·W_K + b_K,  v_s = x̂_s·W_V + b_V      split into nh heads of hs = C / nh
 *   per head:  dot_s = q·k_s,  score_s = dot_s / √hs  (s <= t),  score_s = -∞ (s > t, the causal mask)
 *              w = softmax(score),  contribution_s = w_s·v_s,  head output = Σ_s contribution_s
 *   y = concat(head outputs)·W_O + b_O;  x_t + y is the residual after attention; + mlp(ln_2(.)) is the block output
 * </pre>
 *
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
    double maxBlockOutDifference) {

  /**
   * One head at query position t over keys s = 0..T-1 (keys after t are masked).
   *
   * @param query q (hs)
   * @param keys k_s for s = 0..t (t+1, hs)
   * @param values v_s for s = 0..t (t+1, hs)
   * @param dots q·k_s for s <= t; NaN for masked keys (T)
   * @param scores dot_s / √hs for s <= t; -∞ for masked keys (T)
   * @param weights softmax of the scores; 0 for masked keys (T)
   * @param contributions w_s·v_s for s = 0..t (t+1, hs)
   * @param output Σ_s w_s·v_s (hs)
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
      double[] output) {

    /** True for a key the causal mask hides from the query (s > t). */
    public boolean masked(int key) {
      return Double.isInfinite(scores[key]);
    }

    /** |w_s·v_s|, the size of key s's contribution (0 when masked). */
    public double contributionNorm(int key) {
      return key < contributions.length ? Arrays2.norm(contributions[key]) : 0.0;
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
    Params p = new Params(model.parameters(), layer);

    double[][] xHat = new double[t + 1][];
    double[][] k = new double[t + 1][];
    double[][] v = new double[t + 1][];
    for (int s = 0; s <= t; s++) {
      xHat[s] = layerNorm(x[s], p.ln1Gamma, p.ln1Beta, config.layerNormEps()); // (C)
      k[s] = Arrays2.linear(xHat[s], p.wK, p.bK); // (C)
      v[s] = Arrays2.linear(xHat[s], p.wV, p.bV); // (C)
    }
    double[] q = Arrays2.linear(xHat[t], p.wQ, p.bQ); // (C)

    double[] graphProbs = Arrays2.flat(graph.get(Names.attentionProbs(layer))); // (1, nh, T, T)
    double maxWeightDifference = 0;
    List<Head> heads = new ArrayList<>();
    double[] concatenated = new double[C];
    for (int h = 0; h < nh; h++) {
      Head head = head(h, hs, T, t, q, k, v);
      heads.add(head);
      System.arraycopy(head.output(), 0, concatenated, h * hs, hs);
      for (int s = 0; s < T; s++) {
        double fromGraph = graphProbs[(h * T + t) * T + s];
        maxWeightDifference = Math.max(maxWeightDifference, Math.abs(head.weights()[s] - fromGraph));
      }
    }
    double[] projected = Arrays2.linear(concatenated, p.wO, p.bO); // (C)
    double[] residualOut = Arrays2.add(x[t], projected); // (C)
    double[] ln2 = layerNorm(residualOut, p.ln2Gamma, p.ln2Beta, config.layerNormEps()); // (C)
    double[] hidden = gelu(Arrays2.linear(ln2, p.wFc, p.bFc)); // (4C)
    double[] blockOut = Arrays2.add(residualOut, Arrays2.linear(hidden, p.wProj, p.bProj)); // (C)
    double[] graphOut = Arrays2.slice(Arrays2.flat(graph.get(Names.blockOut(layer))), t * C, C);
    return new AttentionExplanation(
        layer, t, x[t], xHat[t], heads, concatenated, projected, residualOut, blockOut,
        maxWeightDifference, Arrays2.maxAbsDifference(blockOut, graphOut));
  }

  /** Head h: the slice [h·hs, (h+1)·hs) of q, k, v; scaled dot products, mask, softmax, weighted values. */
  private static Head head(int h, int hs, int T, int t, double[] qAll, double[][] kAll, double[][] vAll) {
    double[] q = Arrays2.slice(qAll, h * hs, hs);
    double[][] keys = new double[t + 1][];
    double[][] values = new double[t + 1][];
    double[] dots = new double[T];
    double[] scores = new double[T];
    double max = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < T; s++) {
      if (s > t) {
        dots[s] = Double.NaN;
        scores[s] = Double.NEGATIVE_INFINITY; // the causal mask: a query never sees later keys
        continue;
      }
      keys[s] = Arrays2.slice(kAll[s], h * hs, hs);
      values[s] = Arrays2.slice(vAll[s], h * hs, hs);
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
      contributions[s] = Arrays2.scale(values[s], weights[s]);
      output = Arrays2.add(output, contributions[s]);
    }
    return new Head(h, q, keys, values, dots, scores, weights, contributions, output);
  }

  /** (x - μ) / √(σ² + ε) · γ + β, as {@link LayerNorm}. */
  static double[] layerNorm(double[] x, double[] gamma, double[] beta, double eps) {
    int C = x.length;
    double mu = 0;
    for (double xi : x) {
      mu += xi;
    }
    mu /= C;
    double variance = 0;
    for (double xi : x) {
      variance += (xi - mu) * (xi - mu);
    }
    variance /= C;
    double inv = 1.0 / Math.sqrt(variance + eps);
    double[] y = new double[C];
    for (int i = 0; i < C; i++) {
      y[i] = (x[i] - mu) * inv * gamma[i] + (beta == null ? 0.0 : beta[i]);
    }
    return y;
  }

  /** GPT-2's tanh GELU, as {@link minitransformer.framework.blocks.Gelu}. */
  static double[] gelu(double[] x) {
    double c = Math.sqrt(2.0 / Math.PI);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double xi = x[i];
      y[i] = 0.5 * xi * (1.0 + Math.tanh(c * (xi + 0.044715 * xi * xi * xi)));
    }
    return y;
  }

  /** The block's parameters as double arrays; biases and β are null in a model without biases. */
  private static final class Params {
    final double[][] wQ, wK, wV, wO, wFc, wProj;
    final double[] bQ, bK, bV, bO, bFc, bProj, ln1Gamma, ln1Beta, ln2Gamma, ln2Beta;

    Params(Map<String, INDArray> all, int i) {
      wQ = Arrays2.matrix(all.get(Names.wQ(i)));
      wK = Arrays2.matrix(all.get(Names.wK(i)));
      wV = Arrays2.matrix(all.get(Names.wV(i)));
      wO = Arrays2.matrix(all.get(Names.wO(i)));
      wFc = Arrays2.matrix(all.get(Names.wFc(i)));
      wProj = Arrays2.matrix(all.get(Names.wProj(i)));
      bQ = vector(all, Names.bQ(i));
      bK = vector(all, Names.bK(i));
      bV = vector(all, Names.bV(i));
      bO = vector(all, Names.bO(i));
      bFc = vector(all, Names.bFc(i));
      bProj = vector(all, Names.bProj(i));
      ln1Gamma = vector(all, Names.gamma(Names.ln1(i)));
      ln1Beta = vector(all, Names.beta(Names.ln1(i)));
      ln2Gamma = vector(all, Names.gamma(Names.ln2(i)));
      ln2Beta = vector(all, Names.beta(Names.ln2(i)));
    }

    private static double[] vector(Map<String, INDArray> all, String name) {
      INDArray a = all.get(name);
      return a == null ? null : Arrays2.flat(a);
    }
  }
}
