package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

/** y = x·W (+ b), W stored [in, out]; x is 2-D (N, in), so this is one plain matrix product. */
public final class Linear {
  private final SDVariable w; // (in, out)
  private final SDVariable b; // (out) or null

  /** W ~ N(0, std²); b = 0 when bias. */
  public Linear(
      ParameterFactory params, String wName, String bName, long in, long out, double std, boolean bias) {
    this.w = params.normal(wName, std, in, out);
    this.b = bias ? params.zeros(bName, out) : null;
  }

  /** x (N, in) -> (N, out). */
  public SDVariable apply(SDVariable x) {
    SDVariable y = x.mmul(w); // (N, out)
    return b == null ? y : y.add(b);
  }
}
