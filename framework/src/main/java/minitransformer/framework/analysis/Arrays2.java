package minitransformer.framework.analysis;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain-Java vector and matrix helpers for the analyses (double precision, row-major); {@link #norm} is
 * public for the views that print an analysis's vectors.
 */
public final class Arrays2 {
  private Arrays2() {}

  /** Every element of an array as doubles, in C (row-major) order. */
  static double[] flat(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }

  /** A rank-2 array [rows, cols] as double[rows][cols]. */
  static double[][] matrix(INDArray a) {
    if (a.rank() != 2) {
      throw new IllegalArgumentException("expected a matrix, got shape " + java.util.Arrays.toString(a.shape()));
    }
    int rows = (int) a.size(0);
    int cols = (int) a.size(1);
    double[] f = flat(a);
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(f, r * cols, m[r], 0, cols);
    }
    return m;
  }

  static double dot(double[] a, double[] b) {
    requireSameLength(a, b);
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** The Euclidean length |a|. */
  public static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  /** x·W (+ b): x (in), W (in, out), b (out) or null -> (out). */
  static double[] linear(double[] x, double[][] w, double[] b) {
    int out = w[0].length;
    double[] y = b == null ? new double[out] : b.clone();
    for (int i = 0; i < x.length; i++) {
      double xi = x[i];
      double[] row = w[i];
      for (int j = 0; j < out; j++) {
        y[j] += xi * row[j];
      }
    }
    return y;
  }

  static double[] add(double[] a, double[] b) {
    requireSameLength(a, b);
    double[] y = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      y[i] = a[i] + b[i];
    }
    return y;
  }

  static double[] scale(double[] a, double s) {
    double[] y = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      y[i] = a[i] * s;
    }
    return y;
  }

  /** Elements [from, from + length) of a. */
  static double[] slice(double[] a, int from, int length) {
    double[] y = new double[length];
    System.arraycopy(a, from, y, 0, length);
    return y;
  }

  static double maxAbsDifference(double[] a, double[] b) {
    requireSameLength(a, b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  private static void requireSameLength(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
    }
  }
}
