package minitransformer.framework.exec;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The engine's one listener on a graph: while a pass runs in SameDiff's session, it records which ops
 * ran, in order, and on which graph ({@link ReplayedPass} is built from that order), and hands each
 * op's outputs to the pass's {@link StepArrays}, if it has one. {@link #start} and {@link #stop} are
 * the one switch for both.
 */
final class OrderRecorder extends BaseListener {
  private final List<String> ops = new ArrayList<>();
  private SameDiff graph;
  private boolean recording;
  /** Frees the op outputs of the pass being recorded (a training pass), or null. */
  private StepArrays arrays;

  /** Starts recording the ops of a pass; arrays, when not null, sees every op's outputs (already started). */
  void start(StepArrays arrays) {
    ops.clear();
    graph = null;
    this.arrays = arrays;
    recording = true;
  }

  /** Stops recording; the op names in the order they ran. */
  List<String> stop() {
    recording = false;
    arrays = null;
    return List.copyOf(ops);
  }

  /** The graph whose ops were recorded (the gradient function for a training pass). */
  SameDiff graph() {
    return graph;
  }

  @Override
  public boolean isActive(Operation operation) {
    return recording;
  }

  @Override
  public void opExecution(
      SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
    if (!recording) {
      return;
    }
    if (graph == null) {
      graph = sd;
    } else if (graph != sd) {
      throw new IllegalStateException("one pass ran ops of two graphs");
    }
    ops.add(op.getName());
    if (arrays != null) {
      arrays.opRan(sd, op, outputs);
    }
  }
}
