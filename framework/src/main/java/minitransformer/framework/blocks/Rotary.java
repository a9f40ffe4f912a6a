package minitransformer.framework.blocks;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding (RoFormer; Llama), applied to q and k of every head inside attention:
 *
 * <pre>
 *   θ_i = rope_theta^(-2i/hs),  i = 0 .. hs/2 - 1
 *   rope(z)_t = z_t ⊙ cos(t·θ) + rotate_half(z_t) ⊙ sin(t·θ)
 *   rotate_half(z) = [-z[hs/2:], z[:hs/2]]
 * </pre>
 *
 * <b>Pairing convention: Hugging Face's Llama</b> ({@code rotate_half}, {@code apply_rotary_pos_emb}
 * in modeling_llama.py): component i is rotated together with component i + hs/2 (the two halves of
 * the head), by the angle t·θ_i; the cos and sin tables are [cos(t·θ), cos(t·θ)] over the two halves.
 * (Meta's original Llama code pairs neighbours 2i, 2i+1 instead; a checkpoint converted to Hugging
 * Face's layout has its W_Q and W_K rows permuted to match this convention.)
 *
 * <p>Because a rotation by t·θ followed by the dot product with a key rotated by s·θ gives
 * q·R((s - t)·θ)·k, a score depends only on the distance s - t: the KV cache can keep its rotated
 * keys when the window slides ({@code JavaKvCache}).
 *
 * <p>rotate_half is a product with a constant signed permutation matrix R [hs, hs] over the rows
 * (B·T·H, hs), not slices and a concat: plain products and broadcasts whose gradients M2.1 gets
 * right (GradientCheckTest.rotary), for hs² multiply-adds per head and token.
 */
public final class Rotary implements HeadTransform {
  private final int hs;
  private final int heads;
  private final SDVariable cos; // (block_size, 1, hs)
  private final SDVariable sin; // (block_size, 1, hs)
  private final SDVariable rotateHalf; // (hs, hs)

  /** For heads heads of q or k (nh or n_kv_head); the tables are shared by every layer of the graph. */
  public Rotary(ParameterFactory params, GPTConfig config, int heads) {
    this.hs = config.headSize();
    this.heads = heads;
    int blockSize = config.blockSize();
    double[][] angles = angles(blockSize, hs, config.ropeTheta());
    this.cos = params.sharedConstant(Names.ROPE_COS, () -> table(angles, true));
    this.sin = params.sharedConstant(Names.ROPE_SIN, () -> table(angles, false));
    this.rotateHalf = params.sharedConstant(Names.ROPE_ROTATE_HALF, () -> Nd4j.createFromArray(rotateHalfMatrix(hs)));
  }

  /** z (B, T, H, hs) -> rope(z) (B, T, H, hs), position t = 0 .. T-1. */
  @Override
  public SDVariable apply(SameDiff sd, SDVariable z, Sequence seq) {
    SDVariable cosT = seq.shared(Names.ROPE_COS, () -> slice(sd, cos, seq)); // (T, 1, hs)
    SDVariable sinT = seq.shared(Names.ROPE_SIN, () -> slice(sd, sin, seq)); // (T, 1, hs)
    SDVariable rows = sd.reshape(z, -1, hs); // (B*T*H, hs)
    SDVariable rotated = sd.reshape(rows.mmul(rotateHalf), seq.shapeWith(sd, heads, hs)); // (B, T, H, hs)
    return z.mul(cosT).add(rotated.mul(sinT)); // (B, T, H, hs)
  }

  private static SDVariable slice(SameDiff sd, SDVariable table, Sequence seq) {
    SDVariable origin = sd.constant(Nd4j.createFromArray(0L, 0L, 0L));
    return sd.slice(table, origin, seq.timeWith(sd, 1, table.getShape()[2])); // (T, 1, hs)
  }

  /** angle[t][i] = t·θ_i for i < hs/2, θ_i = theta^(-2i/hs), in double. */
  public static double[][] angles(int positions, int hs, double theta) {
    double[][] a = new double[positions][hs / 2];
    for (int i = 0; i < hs / 2; i++) {
      double inverseFrequency = 1.0 / Math.pow(theta, (2.0 * i) / hs);
      for (int t = 0; t < positions; t++) {
        a[t][i] = t * inverseFrequency;
      }
    }
    return a;
  }

  /** [cos(t·θ), cos(t·θ)] (or sin) over the two halves, [positions, 1, hs]. */
  private static INDArray table(double[][] angles, boolean cosine) {
    int half = angles[0].length;
    double[][][] t = new double[angles.length][1][2 * half];
    for (int p = 0; p < angles.length; p++) {
      for (int i = 0; i < half; i++) {
        double v = cosine ? Math.cos(angles[p][i]) : Math.sin(angles[p][i]);
        t[p][0][i] = v;
        t[p][0][i + half] = v;
      }
    }
    return Nd4j.createFromArray(t);
  }

  /** R with (x·R)[j] = -x[j + hs/2] for j < hs/2 and x[j - hs/2] for j >= hs/2: x·R = rotate_half(x). */
  static double[][] rotateHalfMatrix(int hs) {
    int half = hs / 2;
    double[][] r = new double[hs][hs];
    for (int j = 0; j < half; j++) {
      r[j + half][j] = -1.0;
      r[j][j + half] = 1.0;
    }
    return r;
  }
}
