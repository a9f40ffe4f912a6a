package minitransformer.framework.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The graph's rotary embedding equals Hugging Face's apply_rotary_pos_emb written out as loops:
 * q·cos + rotate_half(q)·sin with rotate_half(x) = cat(-x[hs/2:], x[:hs/2]), angle t·θ^(-2i/hs);
 * and a score q·k after rotation depends on the distance only.
 */
class RotaryTest {
  @Test
  void equalsHuggingFacesRotateHalfConvention() {
    int B = 2, T = 5, H = 3, hs = 6;
    double theta = 100.0;
    GPTConfig config = new GPTConfig(7, 8, 1, H, H * hs, PositionalEncoding.ROPE, false, true, 0.0).withRopeTheta(theta);
    SameDiff sd = SameDiff.create();
    INDArray zValue = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(1), B, T, H, hs).castTo(DataType.DOUBLE).subi(0.5);
    SDVariable z = sd.var("z", zValue);
    Sequence seq = Sequence.of(sd, sd.constant(Nd4j.zeros(DataType.INT32, B, T)), config.blockSize(), DataType.DOUBLE);
    SDVariable out = new Rotary(new ParameterFactory(sd, DataType.DOUBLE, 1), config, H).apply(sd, z, seq);
    INDArray actual = out.eval();
    int half = hs / 2;
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        for (int h = 0; h < H; h++) {
          for (int j = 0; j < hs; j++) {
            int i = j % half; // the frequency index of component j: [θ, θ] over the two halves
            double angle = t * Math.pow(theta, -2.0 * i / hs);
            double rotated = j < half ? -zValue.getDouble(b, t, h, j + half) : zValue.getDouble(b, t, h, j - half);
            double expected = zValue.getDouble(b, t, h, j) * Math.cos(angle) + rotated * Math.sin(angle);
            assertEquals(expected, actual.getDouble(b, t, h, j), 1e-12, "b" + b + " t" + t + " h" + h + " j" + j);
          }
        }
      }
    }
  }

  @Test
  void aScoreDependsOnTheDistanceOnly() {
    int hs = 8;
    double[][] angles = Rotary.angles(40, hs, 10000.0);
    double[] q = {0.3, -1.2, 0.5, 0.9, -0.4, 0.7, 1.1, -0.2};
    double[] k = {-0.6, 0.4, 1.3, -0.8, 0.2, 0.5, -1.0, 0.6};
    double near = dot(rotate(q, angles[3]), rotate(k, angles[1])); // distance 2
    double far = dot(rotate(q, angles[37]), rotate(k, angles[35])); // distance 2, 34 positions on
    assertEquals(near, far, 1e-12);
  }

  private static double[] rotate(double[] z, double[] angle) {
    int half = z.length / 2;
    double[] r = new double[z.length];
    for (int i = 0; i < half; i++) {
      r[i] = z[i] * Math.cos(angle[i]) - z[i + half] * Math.sin(angle[i]);
      r[i + half] = z[i + half] * Math.cos(angle[i]) + z[i] * Math.sin(angle[i]);
    }
    return r;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
