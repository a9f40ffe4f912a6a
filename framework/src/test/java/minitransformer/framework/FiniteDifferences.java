package minitransformer.framework;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A central-difference gradient check over (a spread subset of) every trainable variable of a
 * graph, in double precision. Unlike GradCheckUtil it reports which entry failed and by how much,
 * and checking a subset keeps the whole-model checks to seconds.
 */
final class FiniteDifferences {
  private FiniteDifferences() {}

  /**
   * Failures as readable lines; empty when every checked entry agrees within 1e-6 + 1e-4·|g|. The
   * absolute part absorbs central-difference rounding (~1e-16·|loss|/eps), which matters where
   * the true gradient is exactly 0 (a key bias: softmax ignores a constant added to all scores).
   * The step is 1e-5: at 1e-6 that rounding outgrew the bound on the Llama block's large loss (its
   * numeric gradients drifted further from the analytic ones as the step shrank, 1e-7 worse than
   * 1e-6, while 1e-4 and 1e-5 agreed), and the truncation error of a central difference at 1e-5 is
   * ~1e-10·|f'''|.
   */
  static List<String> check(SameDiff sd, Map<String, INDArray> feed, int perVariable) {
    String loss = sd.getLossVariables().get(0);
    List<String> names = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        names.add(v.name());
      }
    }
    Map<String, INDArray> analytic = sd.calculateGradients(feed, names);
    double eps = 1e-5;
    List<String> failures = new ArrayList<>();
    for (String name : names) {
      INDArray w = sd.getArrForVarName(name);
      INDArray g = analytic.get(name);
      long n = w.length();
      long stride = Math.max(1, n / perVariable);
      for (long i = (name.hashCode() & 0x7fff) % stride; i < n; i += stride) {
        double original = w.getDouble(i);
        w.putScalar(i, original + eps);
        double plus = sd.output(feed, loss).get(loss).getDouble(0);
        w.putScalar(i, original - eps);
        double minus = sd.output(feed, loss).get(loss).getDouble(0);
        w.putScalar(i, original);
        double numeric = (plus - minus) / (2 * eps);
        double a = g.getDouble(i);
        if (Math.abs(a - numeric) > 1e-6 + 1e-4 * Math.max(Math.abs(a), Math.abs(numeric))) {
          failures.add(name + "[" + i + "]: analytic " + a + ", numeric " + numeric);
        }
      }
    }
    return failures;
  }
}
