package minitransformer.framework;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Counts the ops a gradient computation actually executes, forward and backward apart, and the bytes
 * of the arrays they output (every output is a fresh allocation in M2.1). Attach with {@link
 * #attachTo}, run one step, read the counts.
 */
public final class OpCounter extends BaseListener {
  private final Set<String> forwardOps;
  int forward;
  int backward;
  public long outputBytes;
  final Map<String, Integer> byType = new TreeMap<>();

  private OpCounter(Set<String> forwardOps) {
    this.forwardOps = forwardOps;
  }

  /** A counter for sd's ops as they stand now (call after the graph is complete). */
  public static OpCounter attachTo(SameDiff sd) {
    OpCounter counter = new OpCounter(new HashSet<>(sd.getOps().keySet()));
    sd.addListeners(counter);
    return counter;
  }

  public void reset() {
    forward = 0;
    backward = 0;
    outputBytes = 0;
    byType.clear();
  }

  @Override
  public boolean isActive(Operation operation) {
    return true;
  }

  @Override
  public void opExecution(
      SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
    boolean isForward = forwardOps.contains(op.getName());
    if (isForward) {
      forward++;
    } else {
      backward++;
    }
    byType.merge((isForward ? "fwd " : "bwd ") + op.getOp().opName(), 1, Integer::sum);
    for (INDArray out : outputs) {
      if (out != null) {
        outputBytes += out.length() * out.dataType().width();
      }
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "%d ops (%d forward, %d backward), %.1f MB of op outputs; %s",
        forward + backward, forward, backward, outputBytes / 1e6, byType);
  }
}
