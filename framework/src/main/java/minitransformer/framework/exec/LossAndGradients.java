package minitransformer.framework.exec;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The loss of one training pass and the gradient of every parameter, by name ({@link Passes#lossAndGradients}). */
public record LossAndGradients(double loss, Map<String, INDArray> gradients) {
  /**
   * Frees the gradients' native buffers now rather than when the Java GC finds them: call once the
   * optimizer has applied them; the arrays are unusable afterwards. Views are left alone.
   */
  public void release() {
    for (INDArray g : gradients.values()) {
      if (g != null && !g.wasClosed() && g.closeable()) {
        g.close();
      }
    }
  }
}
