package minitransformer.framework.exec;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The logistic sigmoid σ(u) and its gradient g·σ(u)·(1 − σ(u)) as Java loops over an op's bound
 * float arrays, in place of libnd4j's {@code sigmoid} and {@code sigmoid_bp}, which evaluate
 * {@code exp} one element at a time. Through σ(u) = ½ + ½·tanh(u/2) and σ' = ¼·(1 − tanh²(u/2)),
 * with tanh as Eigen's rational approximation ({@code generic_fast_tanh_float}: odd degree 13
 * over even degree 6, the argument clamped to ±7.905, where tanh rounds to ±1 in float): only
 * multiplications, additions, a division and min/max, which C2 turns into AVX vector
 * instructions. Largest error against double precision about 2e-7 for σ (libnd4j's own is
 * similar) and 4e-7·|g| for the gradient (KernelsTest).
 *
 * <p>The arrays are read and written in blocks of {@link #BLOCK} elements through float arrays of
 * the kernel's own, so the loops run on Java arrays (which C2 vectorizes) in the L1 cache.
 */
final class SigmoidKernel implements Runnable {
  static final int BLOCK = 2048;
  private static final float CLAMP = 7.90531110763549805f;

  private final FloatBuffer u;
  private final FloatBuffer g; // null for the forward op
  private final FloatBuffer out;
  private final int n;
  private final float[] bu = new float[BLOCK];
  private final float[] bg;
  private final float[] bo = new float[BLOCK];

  private SigmoidKernel(INDArray u, INDArray g, INDArray out) {
    this.u = u.data().asNioFloat();
    this.g = g == null ? null : g.data().asNioFloat();
    this.out = out.data().asNioFloat();
    this.n = (int) out.length();
    this.bg = g == null ? null : new float[BLOCK];
  }

  /** σ(u) into out; null unless every array is dense float of one length. */
  static SigmoidKernel sigmoid(INDArray u, INDArray out) {
    return same(u, out) ? new SigmoidKernel(u, null, out) : null;
  }

  /** g·σ'(u) into out (libnd4j's sigmoid_bp: inputs u and g). */
  static SigmoidKernel sigmoidBp(INDArray u, INDArray g, INDArray out) {
    return same(u, out) && same(g, out) ? new SigmoidKernel(u, g, out) : null;
  }

  @Override
  public void run() {
    for (int start = 0; start < n; start += BLOCK) {
      int len = Math.min(BLOCK, n - start);
      u.get(start, bu, 0, len);
      if (g == null) {
        sigmoid(bu, bo, len);
      } else {
        g.get(start, bg, 0, len);
        sigmoidBp(bu, bg, bo, len);
      }
      out.put(start, bo, 0, len);
    }
  }

  static void sigmoid(float[] u, float[] s, int len) {
    for (int i = 0; i < len; i++) {
      s[i] = 0.5f + 0.5f * tanh(0.5f * u[i]);
    }
  }

  static void sigmoidBp(float[] u, float[] g, float[] out, int len) {
    for (int i = 0; i < len; i++) {
      float t = tanh(0.5f * u[i]);
      out[i] = g[i] * (0.25f - 0.25f * t * t);
    }
  }

  /** tanh(x) to about float rounding: Eigen's rational approximation, clamped. */
  static float tanh(float v) {
    float x = Math.max(-CLAMP, Math.min(CLAMP, v));
    float x2 = x * x;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    p = x * p;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    return p / q;
  }

  private static boolean same(INDArray a, INDArray out) {
    return GemmKernel.dense(a) && GemmKernel.dense(out) && a.length() == out.length()
        && a.length() <= Integer.MAX_VALUE;
  }
}
