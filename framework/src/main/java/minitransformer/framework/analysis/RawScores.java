package minitransformer.framework.analysis;

import java.util.List;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Why W_Q and W_K are two matrices: the raw attention scores of one block before the scale and the
 * causal mask, A[t][s] = q_t·k_s for every pair of positions (also s > t), per head. With one shared
 * matrix (q = k) A would equal Aᵀ; with two, how much token s matters to t differs from how much t
 * matters to s. {@link #asymmetry} measures it as ‖A − Aᵀ‖ / ‖A‖ (Frobenius norms): 0 for a
 * symmetric matrix, 2 for an antisymmetric one (A = −Aᵀ).
 *
 * @param layer the block
 * @param scores [head][query t][key s], T × T each
 */
public record RawScores(int layer, double[][][] scores) {

  /**
   * Recomputes q and k of block {@code layer} from its input, as {@link AttentionExplanation} does;
   * for a model with other blocks (rope, QK-norm, grouped keys, ...) reads the graph's own scores
   * {@link Names#attentionScores} (float32), times √hs.
   */
  public static RawScores of(GPT model, int[] ids, int layer) {
    GPTConfig config = model.config();
    if (layer < 0 || layer >= config.nLayer()) {
      throw new ModelConfigException(
          "layer " + layer + " does not exist (the model has layers 0.." + (config.nLayer() - 1) + ")");
    }
    if (!config.hasGpt2Blocks()) {
      return fromGraph(model, ids, layer);
    }
    int T = ids.length;
    int C = config.nEmbd();
    int nh = config.nHead();
    int hs = config.headSize();
    String inputName = layer == 0 ? Names.EMBEDDINGS_OUT : Names.blockOut(layer - 1);
    INDArray input = model.outputs(GPT.idsArray(ids, 1, T), List.of(inputName)).get(inputName);
    double[][] x = Arrays2.matrix(input.reshape(T, C)); // (T, C)
    Map<String, INDArray> p = model.parameters();
    double[][] wQ = Arrays2.matrix(p.get(Names.wQ(layer))); // (C, C)
    double[][] wK = Arrays2.matrix(p.get(Names.wK(layer))); // (C, C)
    double[] bQ = vector(p, Names.bQ(layer));
    double[] bK = vector(p, Names.bK(layer));
    double[] gamma = Arrays2.flat(p.get(Names.gamma(Names.ln1(layer))));
    double[] beta = vector(p, Names.beta(Names.ln1(layer)));
    double[][] q = new double[T][];
    double[][] k = new double[T][];
    for (int t = 0; t < T; t++) {
      double[] xHat = BlockMath.layerNorm(x[t], gamma, beta, GPTConfig.DEFAULT_NORM_EPS); // (C)
      q[t] = Arrays2.linear(xHat, wQ, bQ); // (C)
      k[t] = Arrays2.linear(xHat, wK, bK); // (C)
    }
    double[][][] scores = new double[nh][T][T];
    for (int h = 0; h < nh; h++) {
      for (int t = 0; t < T; t++) {
        double[] qh = Arrays2.slice(q[t], h * hs, hs); // (hs)
        for (int s = 0; s < T; s++) {
          scores[h][t][s] = Arrays2.dot(qh, Arrays2.slice(k[s], h * hs, hs));
        }
      }
    }
    return new RawScores(layer, scores);
  }

  /** q·kᵀ of every head as the graph computes it, every option applied: its scores q·kᵀ/√hs, times √hs. */
  static RawScores fromGraph(GPT model, int[] ids, int layer) {
    int T = ids.length;
    int nh = model.config().nHead();
    double unscale = Math.sqrt(model.config().headSize());
    String name = Names.attentionScores(layer);
    INDArray graph = model.outputs(GPT.idsArray(ids, 1, T), List.of(name)).get(name); // (1, nh, T, T)
    double[][][] scores = new double[nh][T][T];
    for (int h = 0; h < nh; h++) {
      for (int t = 0; t < T; t++) {
        for (int s = 0; s < T; s++) {
          scores[h][t][s] = graph.getDouble(0, h, t, s) * unscale;
        }
      }
    }
    return new RawScores(layer, scores);
  }

  /** A = q·kᵀ of one head, [T][T] (a copy). */
  public double[][] matrix(int head) {
    double[][] a = scores[head];
    double[][] copy = new double[a.length][];
    for (int t = 0; t < a.length; t++) {
      copy[t] = a[t].clone();
    }
    return copy;
  }

  /** Aᵀ of one head: entry [s][t] = q_t·k_s. */
  public double[][] transposed(int head) {
    double[][] a = scores[head];
    double[][] at = new double[a.length][a.length];
    for (int t = 0; t < a.length; t++) {
      for (int s = 0; s < a.length; s++) {
        at[s][t] = a[t][s];
      }
    }
    return at;
  }

  /** ‖A − Aᵀ‖ / ‖A‖ (Frobenius) of one head; 0 when A is all zeros. */
  public double asymmetry(int head) {
    return asymmetry(scores[head]);
  }

  /** ‖A − Aᵀ‖ / ‖A‖ (Frobenius) of a square matrix; 0 when A is all zeros. */
  public static double asymmetry(double[][] a) {
    double difference = 0;
    double total = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a.length; j++) {
        double d = a[i][j] - a[j][i];
        difference += d * d;
        total += a[i][j] * a[i][j];
      }
    }
    return total == 0 ? 0.0 : Math.sqrt(difference / total);
  }

  private static double[] vector(Map<String, INDArray> all, String name) {
    INDArray a = all.get(name);
    return a == null ? null : Arrays2.flat(a);
  }
}
