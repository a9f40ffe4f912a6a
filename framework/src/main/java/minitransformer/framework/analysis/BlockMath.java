package minitransformer.framework.analysis;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.blocks.Rotary;

/**
 * The block's steps in plain Java (double precision), each as its graph block computes it: the
 * norms, the rotary rotation, QK-norm and the MLPs. {@link AttentionExplanation} and
 * {@link RawScores} recompute attention with them.
 */
final class BlockMath {
  private BlockMath() {}

  /** The model's norm (model.norm, model.norm_eps) of one token, as {@link minitransformer.framework.blocks.Norm}. */
  static double[] norm(GPTConfig config, double[] x, double[] gamma, double[] beta) {
    return switch (config.norm()) {
      case LAYERNORM -> layerNorm(x, gamma, beta, config.normEps());
      case RMSNORM -> rmsNorm(x, gamma, config.normEps());
    };
  }

  /** (x - μ) / √(σ² + ε) · γ + β, as {@link minitransformer.framework.blocks.LayerNorm}. */
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

  /** x / √(mean(x²) + ε) · γ (no gain when γ is null: QK-norm), as {@link minitransformer.framework.blocks.RmsNorm}. */
  static double[] rmsNorm(double[] x, double[] gamma, double eps) {
    double meanSquare = 0;
    for (double xi : x) {
      meanSquare += xi * xi;
    }
    meanSquare /= x.length;
    double inv = 1.0 / Math.sqrt(meanSquare + eps);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * inv * (gamma == null ? 1.0 : gamma[i]);
    }
    return y;
  }

  /** The angles t·θ_i of position t, i = 0 .. hs/2 - 1, as {@link Rotary#angles}. */
  static double[] angles(int t, int hs, double theta) {
    return Rotary.angles(t + 1, hs, theta)[t];
  }

  /**
   * z rotated by the angles, Hugging Face's rotate_half pairing as {@link Rotary}: component i turns
   * with component i + hs/2, z·cos + rotate_half(z)·sin.
   */
  static double[] rotate(double[] z, double[] angles) {
    int half = z.length / 2;
    double[] y = new double[z.length];
    for (int i = 0; i < half; i++) {
      double cos = Math.cos(angles[i]);
      double sin = Math.sin(angles[i]);
      y[i] = z[i] * cos - z[i + half] * sin;
      y[i + half] = z[i + half] * cos + z[i] * sin;
    }
    return y;
  }

  /** The MLP of the block (model.mlp) on one token, x (C) -> (C). */
  static double[] mlp(GPTConfig config, BlockParams p, double[] x) {
    return switch (config.mlp()) {
      case GELU -> Arrays2.linear(gelu(Arrays2.linear(x, p.wFc, p.bFc)), p.wProj, p.bProj);
      case RELU2 -> Arrays2.linear(reluSquared(Arrays2.linear(x, p.wFc, p.bFc)), p.wProj, p.bProj);
      case SWIGLU -> {
        double[] g = Arrays2.linear(x, p.wGate, p.bGate);
        double[] u = Arrays2.linear(x, p.wUp, p.bUp);
        double[] h = new double[g.length];
        for (int i = 0; i < g.length; i++) {
          h[i] = g[i] / (1.0 + Math.exp(-g[i])) * u[i]; // SiLU(gate) ⊙ up
        }
        yield Arrays2.linear(h, p.wDown, p.bDown);
      }
    };
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

  /** max(0, x)², as {@link minitransformer.framework.blocks.ReluSquared}. */
  static double[] reluSquared(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double r = Math.max(0.0, x[i]);
      y[i] = r * r;
    }
    return y;
  }
}
