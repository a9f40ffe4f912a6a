package minitransformer.framework.exec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The op outputs of one {@link ReplayedPass}: an array given back once its last reader has run is
 * handed out again for a later output of the same type, shape and order, so a plan allocates about
 * what a pass holds at its peak. Every array it ever allocated stays owned by the pool until {@link
 * #close}.
 */
final class ArrayPool implements AutoCloseable {
  private final Map<String, ArrayDeque<INDArray>> free = new HashMap<>();
  private final List<INDArray> owned = new ArrayList<>();
  private long bytes;

  /** A free array of this shape, or a new uninitialized one (every op overwrites its outputs). */
  INDArray take(LongShapeDescriptor shape) {
    ArrayDeque<INDArray> same = free.get(key(shape.dataType(), shape.getShape(), shape.getOrder()));
    if (same != null && !same.isEmpty()) {
      return same.pop();
    }
    INDArray a = shape.isEmpty()
        ? Nd4j.empty(shape.dataType())
        : Nd4j.createUninitialized(shape.dataType(), shape.getShape(), shape.getOrder());
    owned.add(a);
    if (!a.isEmpty()) {
      bytes += a.length() * a.dataType().width();
    }
    return a;
  }

  /** a's last reader has run: it may be handed out again. */
  void give(INDArray a) {
    if (a == null || a.isEmpty() || a.isView()) {
      return;
    }
    free.computeIfAbsent(key(a.dataType(), a.shape(), a.ordering()), k -> new ArrayDeque<>()).push(a);
  }

  /** Bytes of every array allocated. */
  long bytes() {
    return bytes;
  }

  @Override
  public void close() {
    for (INDArray a : owned) {
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    owned.clear();
    free.clear();
  }

  private static String key(DataType dt, long[] shape, char order) {
    return dt + Arrays.toString(shape) + order;
  }
}
