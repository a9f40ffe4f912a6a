package minitransformer.framework.generate;


/**
 * The arithmetic of {@link JavaKvCache} on row arrays (a matrix as one {@code float[]} per row):
 * the linear layer, LayerNorm, GELU and the residual add, each equal to the training graph's op.
 *
 * <p>The loops are written in the form HotSpot's C2 vectorises (see {@link #linear}); keep that
 * form when changing them.
 */
final class RowKernels {
  private RowKernels() {}

  /**
   * out[p] = in[p]·W (+ b) for the first n rows p, W [k, m] held as k row arrays of m floats; every
   * out row has exactly m elements.
   *
   * <p>The inner loop is an axpy over four rows of W at a time, out[j] += x_i·W[i][j] + ... +
   * x_{i+3}·W[i+3][j], bounded by {@code out[p].length}: in that form HotSpot's C2 vectorises it,
   * 7-10x faster than the same loop over one flat [k·m] array, which HotSpot 17 leaves scalar
   * (measured: 1.1 against 8-13 GFLOP/s for 128x512). The four rows stay in L1 while every position
   * uses them.
   */
  static void linear(float[][] in, int n, float[][] w, float[] b, float[][] out) {
    for (int p = 0; p < n; p++) {
      if (b == null) {
        java.util.Arrays.fill(out[p], 0f);
      } else {
        System.arraycopy(b, 0, out[p], 0, out[p].length);
      }
    }
    int k = w.length;
    int i = 0;
    for (; i + 3 < k; i += 4) {
      float[] w0 = w[i];
      float[] w1 = w[i + 1];
      float[] w2 = w[i + 2];
      float[] w3 = w[i + 3];
      for (int p = 0; p < n; p++) {
        float[] xp = in[p];
        float[] op = out[p];
        float x0 = xp[i];
        float x1 = xp[i + 1];
        float x2 = xp[i + 2];
        float x3 = xp[i + 3];
        for (int j = 0; j < op.length; j++) {
          op[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
        }
      }
    }
    for (; i < k; i++) {
      float[] wi = w[i];
      for (int p = 0; p < n; p++) {
        float xi = in[p][i];
        float[] op = out[p];
        for (int j = 0; j < op.length; j++) {
          op[j] += xi * wi[j];
        }
      }
    }
  }

  /** LayerNorm as the graph's: biased variance, the model's ε; statistics in double. */
  static void layerNorm(float[] in, float[] gamma, float[] beta, double eps, float[] out) {
    int C = in.length;
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
    double inv = 1.0 / Math.sqrt(var + eps);
    for (int c = 0; c < C; c++) {
      float xHat = (float) ((in[c] - mu) * inv);
      out[c] = beta == null ? xHat * gamma[c] : xHat * gamma[c] + beta[c];
    }
  }

  /** GPT-2's tanh GELU, in place. */
  static void gelu(float[] z) {
    final double k = Math.sqrt(2.0 / Math.PI);
    for (int i = 0; i < z.length; i++) {
      double v = z[i];
      z[i] = (float) (0.5 * v * (1.0 + Math.tanh(k * (v + 0.044715 * v * v * v))));
    }
  }

  /** x += delta, elementwise. */
  static void add(float[] x, float[] delta) {
    for (int c = 0; c < x.length; c++) {
      x[c] += delta[c];
    }
  }
}
