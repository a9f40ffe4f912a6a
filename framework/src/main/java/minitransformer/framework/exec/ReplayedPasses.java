package minitransformer.framework.exec;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@link ReplayedPass}es of one kind of pass (training, or evaluation loss) of one graph, one per
 * shape of the placeholders, at most {@link #MAX} of them (least recently used dropped first): a
 * training run sees one or two shapes (the batch, and a smaller last slice), an evaluation one.
 * The lifecycle of a shape's passes and when they stay in SameDiff's session: the package
 * documentation ({@link minitransformer.framework.exec}).
 */
final class ReplayedPasses implements AutoCloseable {
  static final int MAX = 4;

  private record Recorded(SameDiff graph, List<String> order) {}

  private final Map<String, Recorded> recorded = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, ReplayedPass> passes = new LinkedHashMap<>(16, 0.75f, true);
  /** Shapes whose pass could not be replayed (an op the plan does not support): left to the session. */
  private final Map<String, String> refused = new LinkedHashMap<>();
  /** Whether plans run {@link Kernels} in place of some ops' native calls. */
  private boolean kernels = true;

  /** The requested outputs of a replayed pass for feed's shapes, or null: run SameDiff's session and record it. */
  Map<String, INDArray> run(Map<String, INDArray> feed, List<String> requested, OpObserver observer) {
    String key = key(feed);
    ReplayedPass pass = passes.get(key);
    if (pass != null) {
      return pass.run(feed, observer);
    }
    Recorded r = recorded.remove(key);
    if (r == null) {
      return null;
    }
    try {
      pass = ReplayedPass.build(r.graph(), r.order(), feed, new HashSet<>(requested), kernels);
    } catch (UnsupportedOperationException e) {
      // The plan wrote only its own arrays (and freed them), so the session can run this pass instead.
      refused.put(key, e.getMessage());
      return null;
    }
    passes.put(key, pass);
    while (passes.size() > MAX) {
      String eldest = passes.keySet().iterator().next();
      passes.remove(eldest).close();
    }
    return pass.outputs(); // building ran the pass on feed
  }

  /** The ops SameDiff's session just ran on graph for feed, in order. */
  void recorded(Map<String, INDArray> feed, SameDiff graph, List<String> order) {
    if (graph == null || order.isEmpty() || refused.containsKey(key(feed))) {
      return;
    }
    recorded.put(key(feed), new Recorded(graph, order));
    while (recorded.size() > MAX) {
      recorded.remove(recorded.keySet().iterator().next());
    }
  }

  /** Plans built from now on run {@link Kernels} (on, the default) or only native calls; frees the plans held. */
  void kernels(boolean on) {
    kernels = on;
    close();
  }

  /** Ops of the plans held that run a kernel in place of their native call (for tests). */
  long kernelOps() {
    return passes.values().stream().mapToLong(ReplayedPass::kernels).sum();
  }

  /** Why passes of some shapes run in SameDiff's session (for tests); empty when all replay. */
  Map<String, String> refused() {
    return refused;
  }

  long bytes() {
    long sum = 0;
    for (ReplayedPass p : passes.values()) {
      sum += p.bytes();
    }
    return sum;
  }

  @Override
  public void close() {
    for (ReplayedPass p : passes.values()) {
      p.close();
    }
    passes.clear();
    recorded.clear();
  }

  private static String key(Map<String, INDArray> feed) {
    Map<String, String> shapes = new TreeMap<>();
    for (Map.Entry<String, INDArray> e : feed.entrySet()) {
      shapes.put(e.getKey(), e.getValue().dataType() + Arrays.toString(e.getValue().shape()));
    }
    return shapes.toString();
  }
}
