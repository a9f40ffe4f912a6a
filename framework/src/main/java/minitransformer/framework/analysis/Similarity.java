package minitransformer.framework.analysis;

/**
 * The three ways the attention texts compare two vectors a and b of width d:
 * the dot product a·b, the cosine a·b / (|a||b|), and the scaled dot product a·b / √d (what attention
 * uses for q·k, so that scores do not grow with the width).
 */
public enum Similarity {
  DOT("dot product") {
    @Override
    public double of(double[] a, double[] b) {
      return Arrays2.dot(a, b);
    }
  },
  COSINE("cosine similarity") {
    @Override
    public double of(double[] a, double[] b) {
      double norms = Arrays2.norm(a) * Arrays2.norm(b);
      return norms == 0.0 ? 0.0 : Arrays2.dot(a, b) / norms;
    }
  },
  SCALED_DOT("scaled dot product (÷√d)") {
    @Override
    public double of(double[] a, double[] b) {
      return Arrays2.dot(a, b) / Math.sqrt(a.length);
    }
  };

  private final String title;

  Similarity(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }

  public abstract double of(double[] a, double[] b);

  /** The [n, n] table of this measure between n vectors. */
  public double[][] table(double[][] vectors) {
    int n = vectors.length;
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m[i][j] = of(vectors[i], vectors[j]);
      }
    }
    return m;
  }
}
