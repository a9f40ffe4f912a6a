package minitransformer.framework;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An independent plain-Java GPT forward pass: loops over double arrays, written from the equations
 * (nanoGPT's model.py), not from the graph. Weights are [in, out] and used as x·W.
 */
final class ReferenceGPT {
  private final GPTConfig cfg;
  private final Map<String, INDArray> p;

  ReferenceGPT(GPTConfig cfg, Map<String, INDArray> parameters) {
    this.cfg = cfg;
    this.p = parameters;
  }

  /** logits[b][t][v] for ids[b][t]. */
  double[][][] logits(int[][] ids) {
    double[][][] out = new double[ids.length][][];
    for (int b = 0; b < ids.length; b++) {
      out[b] = sequenceLogits(ids[b]);
    }
    return out;
  }

  /** Mean over every position of -log softmax(logits)[target]. */
  double loss(int[][] ids, int[][] targets) {
    double[][][] logits = logits(ids);
    double sum = 0;
    int count = 0;
    for (int b = 0; b < ids.length; b++) {
      for (int t = 0; t < ids[b].length; t++) {
        double[] z = logits[b][t];
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
          max = Math.max(max, v);
        }
        double s = 0;
        for (double v : z) {
          s += Math.exp(v - max);
        }
        sum += max + Math.log(s) - z[targets[b][t]];
        count++;
      }
    }
    return sum / count;
  }

  private double[][] sequenceLogits(int[] ids) {
    int T = ids.length;
    int C = cfg.nEmbd();
    double[][] wte = m("wte");
    double[][] pos =
        cfg.positionalEncoding() == PositionalEncoding.LEARNED
            ? m("wpe")
            : sinusoids(cfg.blockSize(), C);
    double[][] x = new double[T][C];
    for (int t = 0; t < T; t++) {
      for (int c = 0; c < C; c++) {
        x[t][c] = wte[ids[t]][c] + pos[t][c];
      }
    }
    for (int l = 0; l < cfg.nLayer(); l++) {
      String h = "h" + l;
      double[][] a = attention(layerNorm(x, h + "/ln_1"), h + "/attn");
      x = add(x, a);
      double[][] f = mlp(layerNorm(x, h + "/ln_2"), h + "/mlp");
      x = add(x, f);
    }
    x = layerNorm(x, "ln_f");
    double[][] head = cfg.tieEmbeddings() ? transpose(wte) : m("lm_head/W");
    return matmul(x, head);
  }

  private double[][] attention(double[][] x, String scope) {
    int T = x.length;
    int C = cfg.nEmbd();
    int nh = cfg.nHead();
    int hs = C / nh;
    double[][] q = linear(x, scope + "/W_Q", scope + "/b_Q");
    double[][] k = linear(x, scope + "/W_K", scope + "/b_K");
    double[][] v = linear(x, scope + "/W_V", scope + "/b_V");
    double[][] y = new double[T][C];
    for (int head = 0; head < nh; head++) {
      int off = head * hs;
      for (int t = 0; t < T; t++) {
        // scores over the keys s <= t only: the causal mask
        double[] w = new double[t + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s <= t; s++) {
          double dot = 0;
          for (int d = 0; d < hs; d++) {
            dot += q[t][off + d] * k[s][off + d];
          }
          w[s] = dot / Math.sqrt(hs);
          max = Math.max(max, w[s]);
        }
        double sum = 0;
        for (int s = 0; s <= t; s++) {
          w[s] = Math.exp(w[s] - max);
          sum += w[s];
        }
        for (int s = 0; s <= t; s++) {
          for (int d = 0; d < hs; d++) {
            y[t][off + d] += w[s] / sum * v[s][off + d];
          }
        }
      }
    }
    return linear(y, scope + "/W_O", scope + "/b_O");
  }

  private double[][] mlp(double[][] x, String scope) {
    double[][] h = linear(x, scope + "/W_fc", scope + "/b_fc");
    for (double[] row : h) {
      for (int j = 0; j < row.length; j++) {
        double u = row[j];
        row[j] = 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
      }
    }
    return linear(h, scope + "/W_proj", scope + "/b_proj");
  }

  private double[][] layerNorm(double[][] x, String scope) {
    double[] gamma = p.get(scope + "/gamma").toDoubleVector();
    double[] beta = cfg.bias() ? p.get(scope + "/beta").toDoubleVector() : new double[gamma.length];
    double[][] y = new double[x.length][x[0].length];
    for (int i = 0; i < x.length; i++) {
      double mean = 0;
      for (double v : x[i]) {
        mean += v / x[i].length;
      }
      double var = 0;
      for (double v : x[i]) {
        var += (v - mean) * (v - mean) / x[i].length;
      }
      for (int j = 0; j < x[i].length; j++) {
        y[i][j] = (x[i][j] - mean) / Math.sqrt(var + 1e-5) * gamma[j] + beta[j];
      }
    }
    return y;
  }

  private double[][] linear(double[][] x, String w, String b) {
    double[][] y = matmul(x, m(w));
    if (cfg.bias()) {
      double[] bias = p.get(b).toDoubleVector();
      for (double[] row : y) {
        for (int j = 0; j < row.length; j++) {
          row[j] += bias[j];
        }
      }
    }
    return y;
  }

  private double[][] m(String name) {
    return p.get(name).toDoubleMatrix();
  }

  static double[][] sinusoids(int positions, int C) {
    double scale = 0.02 * Math.sqrt(2);
    double[][] pe = new double[positions][C];
    for (int t = 0; t < positions; t++) {
      for (int j = 0; j < C; j++) {
        int i = j / 2;
        double angle = t * Math.exp(-Math.log(10000.0) * 2.0 * i / C);
        pe[t][j] = scale * (j % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
      }
    }
    return pe;
  }

  private static double[][] matmul(double[][] a, double[][] b) {
    double[][] c = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < b.length; k++) {
        for (int j = 0; j < b[0].length; j++) {
          c[i][j] += a[i][k] * b[k][j];
        }
      }
    }
    return c;
  }

  private static double[][] transpose(double[][] a) {
    double[][] t = new double[a[0].length][a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        t[j][i] = a[i][j];
      }
    }
    return t;
  }

  private static double[][] add(double[][] a, double[][] b) {
    double[][] c = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        c[i][j] = a[i][j] + b[i][j];
      }
    }
    return c;
  }
}
