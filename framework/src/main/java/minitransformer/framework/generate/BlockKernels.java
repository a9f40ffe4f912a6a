package minitransformer.framework.generate;

import static minitransformer.framework.generate.RowKernels.layerNorm;
import static minitransformer.framework.generate.RowKernels.linear;
import static minitransformer.framework.generate.RowKernels.rmsNorm;
import static minitransformer.framework.generate.RowKernels.siluTimes;

import java.util.function.Consumer;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.blocks.Rotary;
import minitransformer.framework.generate.CachedWeights.Layer;
import minitransformer.framework.generate.CachedWeights.Norm;

/**
 * The block options of a {@link GPTConfig} as {@link JavaKvCache} computes them, each chosen once
 * here from the config: the norm (LayerNorm or RMSNorm, as model.norm), the MLP (GELU, ReLU² or
 * SwiGLU, as model.mlp) with its hidden work rows, and RoPE's rotation of q and k at a position with
 * its angles. The arithmetic on rows is in {@link RowKernels}.
 */
final class BlockKernels {
  private final int nh;
  private final int nKv;
  private final int hs;
  private final NormKernel norm;
  private final MlpKernel mlp;
  private final double[] inverseFrequency; // (hs/2) θ_i = rope_theta^(-2i/hs), rope only
  private final float[][] hiddenRows; // (block_size, hidden)
  private final float[][] gateRows; // (block_size, hidden), SwiGLU's up projection
  private final float[] cos; // (hs/2) at one position
  private final float[] sin;

  /** A norm of one row (LayerNorm or RMSNorm, as model.norm). */
  private interface NormKernel {
    void apply(float[] in, float[] gamma, float[] beta, float[] out);
  }

  /** The MLP of n rows h -> h (as model.mlp). */
  private interface MlpKernel {
    void apply(Layer l, float[][] h, int n);
  }

  BlockKernels(GPTConfig config) {
    this.nh = config.nHead();
    this.nKv = config.nKvHead();
    this.hs = config.headSize();
    double eps = config.normEps();
    this.norm = config.norm() == NormKind.RMSNORM
        ? (in, gamma, beta, out) -> rmsNorm(in, gamma, beta, out, eps)
        : (in, gamma, beta, out) -> layerNorm(in, gamma, beta, out, eps);
    this.mlp = switch (config.mlp()) {
      case GELU -> (l, h, n) -> activationMlp(l, h, n, RowKernels::gelu);
      case RELU2 -> (l, h, n) -> activationMlp(l, h, n, RowKernels::reluSquared);
      case SWIGLU -> this::swiGlu;
    };
    this.inverseFrequency = new double[hs / 2];
    double[][] angleOne = Rotary.angles(2, hs, config.ropeTheta()); // row 1: 1·θ_i
    System.arraycopy(angleOne[1], 0, inverseFrequency, 0, hs / 2);
    int blockSize = config.blockSize();
    this.hiddenRows = new float[blockSize][config.mlpHidden()];
    this.gateRows = config.mlp() == MlpKind.SWIGLU ? new float[blockSize][config.mlpHidden()] : null;
    this.cos = new float[hs / 2];
    this.sin = new float[hs / 2];
  }

  /** out = norm(in) of one row (C), with the norm's γ and β. */
  void norm(float[] in, Norm weights, float[] out) {
    norm.apply(in, weights.gamma(), weights.beta(), out);
  }

  /** h = mlp(h) in place for the first n rows of h (n, C), with layer l's weights. */
  void mlp(Layer l, float[][] h, int n) {
    mlp.apply(l, h, n);
  }

  /** q = rope(q) (nh·hs) and k = rope(k) (n_kv·hs) of one position t, in place. */
  void rope(float[] q, float[] k, int t) {
    angles(t);
    RowKernels.rotate(q, nh, hs, cos, sin);
    RowKernels.rotate(k, nKv, hs, cos, sin);
  }

  /** h (n, C) -> act(h·W_fc + b_fc)·W_proj + b_proj (n, C): GELU or ReLU². */
  private void activationMlp(Layer l, float[][] h, int n, Consumer<float[]> activation) {
    linear(h, n, l.fc(), hiddenRows); // (n, hidden)
    for (int p = 0; p < n; p++) {
      activation.accept(hiddenRows[p]);
    }
    linear(hiddenRows, n, l.proj(), h); // (n, C)
  }

  /** h (n, C) -> (SiLU(h·W_gate) ⊙ h·W_up)·W_down (n, C). */
  private void swiGlu(Layer l, float[][] h, int n) {
    linear(h, n, l.gate(), hiddenRows); // (n, hidden)
    linear(h, n, l.up(), gateRows); // (n, hidden)
    for (int p = 0; p < n; p++) {
      siluTimes(hiddenRows[p], gateRows[p]);
    }
    linear(hiddenRows, n, l.down(), h); // (n, C)
  }

  /** cos and sin of t·θ_i, rounded to float as the graph's tables are. */
  private void angles(int t) {
    for (int i = 0; i < cos.length; i++) {
      double angle = t * inverseFrequency[i];
      cos[i] = (float) Math.cos(angle);
      sin[i] = (float) Math.sin(angle);
    }
  }
}
