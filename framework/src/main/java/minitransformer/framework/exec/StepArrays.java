package minitransformer.framework.exec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arrays one training pass's ops output, each freed as soon as the pass is done with it.
 *
 * <p>ND4J M2.1 frees a native buffer only when the Java GC collects its small wrapper, and the
 * gradient session frees almost none of a pass's op outputs itself (its array cache keeps what it
 * releases), so a pass's intermediates (284 MB for the char workload) all stayed resident until the
 * pass ended. This frees them as PyTorch does (it sees each op's outputs through {@link
 * OrderRecorder}, the engine's listener): an op output is closed once every op of the
 * graph that reads it has run, so the pass holds only the forward activations the backward pass
 * still needs (80 MB at its peak for the char workload). The close of an output that dies at op k
 * waits until op k+1's outputs are recorded, so every listener still sees op k's inputs, and
 * an array the session's cache hands out again for op k+1 is seen alive.
 *
 * <p>Never closed: a view; an output no op reads (the loss, the gradients); a buffer that an output
 * still alive shares, or that a parameter, a constant or a placeholder owns. {@link #release}
 * closes what is left at the end of the pass (an output whose buffer a view kept alive, outputs of
 * the last op) except the gradients and the feed.
 */
final class StepArrays {
  private final List<INDArray> outputs = new ArrayList<>();
  private long lastReleasedBytes;
  private long lastEarlyReleasedBytes;
  private long heldBytes;
  private long lastPeakHeldBytes;

  /** The graph whose consumer counts {@link #consumers} holds (the gradient function). */
  private SameDiff graph;
  /** How many ops of {@link #graph} read each variable (a variable read twice by one op counts twice). */
  private Map<String, Integer> consumers = Map.of();
  /** Buffers owned by parameters, constants and placeholders (by address): never closed here. */
  private final Set<Long> keptBuffers = new HashSet<>();
  /** Per output of this pass still to be read: how many of its consumers have not run yet. */
  private final Map<String, Integer> pending = new HashMap<>();
  /** The buffer (address) of every output recorded in this pass, by variable name. */
  private final Map<String, Long> bufferOf = new HashMap<>();
  /** Per buffer: how many recorded outputs on it are still alive (unread, or read by no op). */
  private final Map<Long, Integer> aliveOn = new HashMap<>();
  /** Per buffer: the recorded arrays on it. */
  private final Map<Long, List<INDArray>> arraysOn = new HashMap<>();
  /** Buffers whose last alive output died at the previous op: closed at the next one. */
  private final List<Long> dying = new ArrayList<>();

  /**
   * Prepares for a pass whose op outputs are handed to {@link #opRan} from now on; feed is the
   * pass's placeholders, sd the model graph (its parameters and constants are never freed).
   */
  void start(SameDiff sd, Collection<INDArray> feed) {
    forgetPass();
    keptBuffers.clear();
    graph = null;
    heldBytes = 0;
    lastPeakHeldBytes = 0;
    lastEarlyReleasedBytes = 0;
    for (INDArray a : parametersAndConstants(sd)) {
      keepBuffer(a);
    }
    for (INDArray a : feed) {
      keepBuffer(a);
    }
  }

  /** Op op of graph sd has run and output opOutputs. */
  void opRan(SameDiff sd, SameDiffOp op, INDArray[] opOutputs) {
    if (sd != graph) {
      countConsumers(sd);
    }
    List<String> names = op.getOutputsOfOp();
    for (int i = 0; i < opOutputs.length; i++) {
      INDArray a = opOutputs[i];
      outputs.add(a);
      if (a != null && !a.isEmpty() && names != null && i < names.size()) {
        record(names.get(i), a);
      }
    }
    closeDying(); // the previous op's: every listener has seen that op, and this op's outputs are recorded
    for (String input : op.getInputsToOp()) {
      consumed(input);
    }
    lastPeakHeldBytes = Math.max(lastPeakHeldBytes, heldBytes);
  }

  private void record(String name, INDArray a) {
    long buffer = bufferAddress(a);
    if (bufferOf.put(name, buffer) != null) {
      return; // recorded already (an op that outputs the same variable twice)
    }
    pending.put(name, consumers.getOrDefault(name, 0));
    aliveOn.merge(buffer, 1, Integer::sum);
    List<INDArray> on = arraysOn.computeIfAbsent(buffer, b -> new ArrayList<>());
    if (!a.isView() && on.stream().noneMatch(b -> b.data() == a.data())) {
      heldBytes += bytes(a.data());
    }
    on.add(a);
  }

  /** One consumer of name has run; when it was the last, name's buffer may die. */
  private void consumed(String name) {
    Integer left = pending.get(name);
    if (left == null || left == 0) {
      return; // not an output of this pass (a parameter, a placeholder), or read by no op
    }
    if (left > 1) {
      pending.put(name, left - 1);
      return;
    }
    pending.remove(name);
    long buffer = bufferOf.get(name);
    if (aliveOn.merge(buffer, -1, Integer::sum) == 0) {
      dying.add(buffer);
    }
  }

  private void closeDying() {
    for (long buffer : dying) {
      if (aliveOn.getOrDefault(buffer, 0) > 0 || keptBuffers.contains(buffer)) {
        continue; // an output recorded since shares it (handed out again), or it is not ours
      }
      aliveOn.remove(buffer);
      for (INDArray a : arraysOn.remove(buffer)) {
        if (!a.wasClosed() && a.closeable()) {
          long n = bytes(a.data());
          a.close();
          lastEarlyReleasedBytes += n;
          heldBytes -= n;
        }
      }
    }
    dying.clear();
  }

  private void countConsumers(SameDiff sd) {
    Map<String, Integer> counts = new HashMap<>();
    for (SameDiffOp op : sd.getOps().values()) {
      List<String> inputs = op.getInputsToOp();
      if (inputs != null) {
        for (String input : inputs) {
          counts.merge(input, 1, Integer::sum);
        }
      }
    }
    consumers = counts;
    graph = sd;
    for (INDArray a : parametersAndConstants(sd)) {
      keepBuffer(a);
    }
  }

  private static List<INDArray> parametersAndConstants(SameDiff sd) {
    List<INDArray> arrays = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      VariableType type = v.getVariableType();
      if (type != VariableType.ARRAY && type != VariableType.PLACEHOLDER && v.getArr() != null) {
        arrays.add(v.getArr());
      }
    }
    return arrays;
  }

  private void keepBuffer(INDArray a) {
    if (a != null && !a.wasClosed() && !a.isEmpty()) {
      keptBuffers.add(bufferAddress(a));
      keptBuffers.add(a.data().address());
    }
  }

  /** The address of the buffer a's memory belongs to (a view's: its base's). */
  private static long bufferAddress(INDArray a) {
    DataBuffer original = a.data().originalDataBuffer();
    return original != null ? original.address() : a.data().address();
  }

  private static long bytes(DataBuffer data) {
    return data.length() * data.getElementSize();
  }

  /** Bytes the last {@link #release} freed at the end of the pass. */
  long lastReleasedBytes() {
    return lastReleasedBytes;
  }

  /** Bytes the last pass freed while it ran, as their last reader finished. */
  long lastEarlyReleasedBytes() {
    return lastEarlyReleasedBytes;
  }

  /** The most bytes of op outputs the last pass held at once. */
  long lastPeakHeldBytes() {
    return lastPeakHeldBytes;
  }

  /**
   * At the end of the pass: closes every recorded output still open that shares no buffer with the
   * feed, the gradients, or sd's parameters and constants.
   */
  void release(SameDiff sd, Collection<INDArray> feed, Collection<INDArray> gradients) {
    List<INDArray> kept = new ArrayList<>(gradients);
    kept.addAll(feed);
    kept.addAll(parametersAndConstants(sd));
    lastReleasedBytes = release(kept);
    forgetPass();
  }

  /** Forgets the outputs of the last pass (closed or not) and what was known about them. */
  private void forgetPass() {
    outputs.clear();
    pending.clear();
    bufferOf.clear();
    aliveOn.clear();
    arraysOn.clear();
    dying.clear();
  }

  private long release(Collection<INDArray> kept) {
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
        continue; // views, constants, arrays already closed (while the pass ran, or by the session's cache)
      }
      DataBuffer data = a.data();
      if (closed.contains(data) || keptAddresses.contains(data.address())) {
        continue;
      }
      closed.add(data);
      bytes += bytes(data);
      a.close();
    }
    return bytes;
  }
}
