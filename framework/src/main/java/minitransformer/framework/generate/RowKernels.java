package minitransformer.framework.generate;

/**
 * The arithmetic of {@link JavaKvCache} on row arrays (a matrix as one {@code float[]} per row):
 * the linear layer, LayerNorm, RMSNorm, GELU, ReLU², SiLU, the rotation of RoPE and the residual add,
 * each equal to the training graph's op.
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

  /** out[p] = in[p]·W + b for the first n rows p, with layer's W and b (see above). */
  static void linear(float[][] in, int n, CachedWeights.Linear layer, float[][] out) {
    linear(in, n, layer.w(), layer.b(), out);
  }

  /** The tied lm head: logits[id] = x · wte[id], wte flat (V·C) with row id at id·C. */
  static void tiedHead(float[] x, float[] wte, float[] logits) {
    int C = x.length;
    for (int id = 0, row = 0; id < logits.length; id++, row += C) {
      float s0 = 0f;
      float s1 = 0f;
      float s2 = 0f;
      float s3 = 0f;
      int c = 0;
      for (; c + 3 < C; c += 4) {
        s0 += x[c] * wte[row + c];
        s1 += x[c + 1] * wte[row + c + 1];
        s2 += x[c + 2] * wte[row + c + 2];
        s3 += x[c + 3] * wte[row + c + 3];
      }
      for (; c < C; c++) {
        s0 += x[c] * wte[row + c];
      }
      logits[id] = (s0 + s1) + (s2 + s3);
    }
  }

  /** LayerNorm as the graph's: biased variance, ε = model.norm_eps; statistics in double. */
  static void layerNorm(float[] in, float[] gamma, float[] beta, float[] out, double eps) {
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

  /** RMSNorm as the graph's: x / √(mean(x²) + ε) · γ (no β); statistics in double. */
  static void rmsNorm(float[] in, float[] gamma, float[] beta, float[] out, double eps) {
    int C = in.length;
    double meanSquare = 0.0;
    for (int c = 0; c < C; c++) {
      meanSquare += (double) in[c] * in[c];
    }
    double inv = 1.0 / Math.sqrt(meanSquare / C + eps);
    for (int c = 0; c < C; c++) {
      out[c] = (float) (in[c] * inv) * gamma[c];
    }
  }

  /** QK-norm: each head's hs components of row, from offset, divided by √(mean(z²) + ε), in place. */
  static void rmsNormalizeHeads(float[] row, int heads, int hs, double eps) {
    for (int head = 0; head < heads; head++) {
      int off = head * hs;
      double meanSquare = 0.0;
      for (int d = 0; d < hs; d++) {
        meanSquare += (double) row[off + d] * row[off + d];
      }
      double inv = 1.0 / Math.sqrt(meanSquare / hs + eps);
      for (int d = 0; d < hs; d++) {
        row[off + d] = (float) (row[off + d] * inv);
      }
    }
  }

  /**
   * RoPE on each head of row at one position, in place, Hugging Face's rotate_half pairing: for
   * i < hs/2, (z_i, z_{i+hs/2}) -> (z_i·cos - z_{i+hs/2}·sin, z_{i+hs/2}·cos + z_i·sin), angle
   * position·θ_i (cos and sin given per i, float as the graph's tables).
   */
  static void rotate(float[] row, int heads, int hs, float[] cos, float[] sin) {
    int half = hs / 2;
    for (int head = 0; head < heads; head++) {
      int off = head * hs;
      for (int i = 0; i < half; i++) {
        float a = row[off + i];
        float b = row[off + i + half];
        row[off + i] = a * cos[i] - b * sin[i];
        row[off + i + half] = b * cos[i] + a * sin[i];
      }
    }
  }

  /** ReLU², in place. */
  static void reluSquared(float[] z) {
    for (int i = 0; i < z.length; i++) {
      float r = Math.max(0f, z[i]);
      z[i] = r * r;
    }
  }

  /** gate = SiLU(gate) ⊙ up = gate·σ(gate)·up, in place in gate. */
  static void siluTimes(float[] gate, float[] up) {
    for (int i = 0; i < gate.length; i++) {
      double g = gate[i];
      gate[i] = (float) (g / (1.0 + Math.exp(-g)) * up[i]);
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
