package minitransformer.framework;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The arrays one training step's ops output, freed as soon as the step is done with them.
 *
 * <p>ND4J M2.1 frees a native buffer only when the Java GC collects its small wrapper, so a step's
 * hundreds of MB of intermediates (every op output is a fresh allocation) stay resident until a
 * full collection finds them; the trainer used to force one every few steps. This listener records
 * every op output while {@link #recording}, and {@link #release} closes the ones that no longer
 * matter: never a view, never an array sharing its buffer with a kept array (the gradients, the
 * loss, the parameters and the feed), never a buffer twice.
 */
final class StepArrays extends BaseListener {
  private final List<INDArray> outputs = new ArrayList<>();
  private boolean recording;
  private long lastReleasedBytes;

  /** Starts recording the outputs of the ops that run from now on. */
  void start() {
    outputs.clear();
    recording = true;
  }

  @Override
  public boolean isActive(Operation operation) {
    return recording;
  }

  @Override
  public void opExecution(
      SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] opOutputs) {
    if (recording) {
      Collections.addAll(outputs, opOutputs);
    }
  }

  /** Bytes the last {@link #release} freed. */
  long lastReleasedBytes() {
    return lastReleasedBytes;
  }

  /**
   * Stops recording and closes every recorded output that shares no buffer with the feed, the
   * gradients, or sd's parameters and constants.
   */
  void release(SameDiff sd, Collection<INDArray> feed, Collection<INDArray> gradients) {
    List<INDArray> kept = new ArrayList<>(gradients);
    kept.addAll(feed);
    for (SDVariable v : sd.variables()) {
      VariableType type = v.getVariableType();
      if (type != VariableType.ARRAY && type != VariableType.PLACEHOLDER && v.getArr() != null) {
        kept.add(v.getArr()); // parameters and constants
      }
    }
    lastReleasedBytes = release(kept);
  }

  private long release(Collection<INDArray> kept) {
    recording = false;
    Set<Long> keptAddresses = new HashSet<>();
    for (INDArray a : kept) {
      if (a != null && !a.wasClosed() && !a.isEmpty()) {
        keptAddresses.add(a.data().address());
        DataBuffer original = a.data().originalDataBuffer();
        if (original != null) {
          keptAddresses.add(original.address());
        }
      }
    }
    Set<DataBuffer> closed = Collections.newSetFromMap(new IdentityHashMap<>());
    long bytes = 0;
    for (INDArray a : outputs) {
      if (a == null || a.wasClosed() || a.isEmpty() || !a.closeable()) {
        continue; // views, constants, arrays already closed (by the session's cache)
      }
      DataBuffer data = a.data();
      if (closed.contains(data) || keptAddresses.contains(data.address())) {
        continue;
      }
      closed.add(data);
      bytes += data.length() * data.getElementSize();
      a.close();
    }
    outputs.clear();
    return bytes;
  }
}
