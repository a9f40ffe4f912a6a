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

/** Records which ops a pass of SameDiff's session ran, in order, and on which graph ({@link ReplayedPass}). */
final class OrderRecorder extends BaseListener {
  private final List<String> ops = new ArrayList<>();
  private SameDiff graph;
  private boolean recording;

  void start() {
    ops.clear();
    graph = null;
    recording = true;
  }

  /** Stops recording; the op names in the order they ran. */
  List<String> stop() {
    recording = false;
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
  }
}
