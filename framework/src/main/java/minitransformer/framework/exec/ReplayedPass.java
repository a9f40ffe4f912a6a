package minitransformer.framework.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One pass of a SameDiff graph (the gradient function, or the model graph for an evaluation loss)
 * replayed op by op on arrays that were allocated once, for one shape of the placeholders.
 *
 * <p>SameDiff M2.1's session spends about 120 µs of Java work per op on every pass: it works out
 * again which ops can run, looks every input up by name and frame, computes each output's shape in
 * native code, allocates each output, and tracks every array's uses to free it. For the same graph
 * and the same placeholder shapes, all of that comes out the same every time. So a plan is built
 * from the order in which the session ran the ops ({@link OrderRecorder}): each op gets its own op
 * context with its inputs and outputs bound once, exactly as the session parameterizes it ({@link
 * OpBinding}: the same arguments, output shapes and types, and native calls in the same order), so
 * the results are the same bits. A replay only copies the placeholders in and runs the native calls.
 * When a plan is built and replayed: the package documentation ({@link
 * minitransformer.framework.exec}).
 *
 * <p>Memory: an op output goes back to a pool as soon as its last reader has run, and a later
 * output of the same type and shape reuses it, so the plan holds about what the session's pass held
 * at its peak, allocated once instead of on every pass. The requested outputs (the loss, the
 * gradients) are never reused within a pass; they are overwritten by the next pass, so callers copy
 * what they keep.
 *
 * <p>Not thread-safe: one pass at a time, as for the graph itself.
 */
final class ReplayedPass implements AutoCloseable {
  /** One op, bound to its arrays; kernel, when not null, runs in place of its native call ({@link Kernels}). */
  private record Step(DifferentialFunction op, OpContext context, Runnable kernel) {}

  private final Map<String, INDArray> placeholders; // the plan's own copies, filled per pass
  private final List<Step> steps = new ArrayList<>();
  private final Map<String, INDArray> outputs = new HashMap<>();
  private final ArrayPool pool = new ArrayPool();

  private ReplayedPass(Map<String, INDArray> placeholders) {
    this.placeholders = placeholders;
  }

  /**
   * Builds the plan for graph's ops in order (as SameDiff ran them) and runs it once on feed. The
   * outputs named in requested are kept for the caller; every other op output is pooled.
   */
  static ReplayedPass build(
      SameDiff graph, List<String> order, Map<String, INDArray> feed, Set<String> requested, boolean kernels) {
    Map<String, INDArray> placeholders = new HashMap<>();
    for (Map.Entry<String, INDArray> e : feed.entrySet()) {
      SDVariable v = graph.getVariable(e.getKey());
      if (v == null || !v.isPlaceHolder()) {
        continue; // a placeholder of the model graph that this graph does not read
      }
      INDArray value = e.getValue();
      if (value.dataType() != v.dataType()) {
        throw new IllegalArgumentException(
            "placeholder " + e.getKey() + " is " + value.dataType() + ", the graph reads " + v.dataType());
      }
      placeholders.put(e.getKey(), value.dup('c'));
    }
    ReplayedPass pass = new ReplayedPass(placeholders);
    try {
      pass.plan(graph, order, requested, kernels);
    } catch (RuntimeException e) {
      pass.close();
      throw e;
    }
    return pass;
  }

  private void plan(SameDiff graph, List<String> order, Set<String> requested, boolean kernels) {
    // Which array a variable is (Identity passes its input through) and the last op that reads it.
    Map<String, String> aliasOf = new HashMap<>();
    Map<String, Integer> lastRead = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      DifferentialFunction df = op(graph, order.get(i)).getOp();
      String[] args = argNames(df);
      if (df instanceof Identity) {
        aliasOf.put(df.outputVariablesNames()[0], root(aliasOf, args[0]));
      }
      for (String a : args) {
        lastRead.put(root(aliasOf, a), i);
      }
    }
    Set<String> kept = new HashSet<>();
    for (String r : requested) {
      kept.add(root(aliasOf, r));
    }

    Map<String, INDArray> values = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      SameDiffOp sdo = op(graph, order.get(i));
      DifferentialFunction df = sdo.getOp();
      String[] argNames = argNames(df);
      INDArray[] args = new INDArray[argNames.length];
      for (int j = 0; j < args.length; j++) {
        args[j] = input(graph, argNames[j], values);
      }
      String[] outNames = df.outputVariablesNames();
      if (df instanceof Identity) {
        values.put(outNames[0], args[0]);
        continue;
      }
      if (!(df instanceof CustomOp) && !(df instanceof Op)) {
        throw new UnsupportedOperationException(
            "op " + df.getOwnName() + " (" + df.getClass().getSimpleName() + ") cannot be replayed");
      }
      OpContext oc = Nd4j.getExecutioner().buildContext();
      steps.add(new Step(df, oc, null)); // closed with the plan, also when binding or running fails
      if (df instanceof CustomOp) {
        OpBinding.bindCustomOp(graph, (DynamicCustomOp) df, args, oc, pool);
      } else {
        OpBinding.bindLegacyOp(df, args, oc, pool);
      }
      Step step = new Step(df, oc, kernels ? Kernels.of(df, oc) : null);
      steps.set(steps.size() - 1, step);
      run(step);
      List<INDArray> outs = oc.getOutputArrays();
      for (int k = 0; k < outNames.length; k++) {
        values.put(outNames[k], outs.get(k));
        if (!kept.contains(outNames[k]) && !lastRead.containsKey(outNames[k])) {
          pool.give(outs.get(k)); // read by no op and not requested
        }
      }
      for (String a : new HashSet<>(Arrays.asList(argNames))) {
        String r = root(aliasOf, a);
        if (lastRead.getOrDefault(r, -1) == i && !kept.contains(r) && isOpOutput(graph, r)) {
          pool.give(values.get(r));
        }
      }
    }
    for (String r : requested) {
      INDArray value = values.get(root(aliasOf, r));
      if (value == null) {
        throw new IllegalStateException("the recorded ops do not compute " + r);
      }
      outputs.put(r, value);
    }
  }

  /**
   * Copies feed into the plan's placeholders and runs every op; the requested outputs, by name.
   * observer, when not null, sees each op after it ran.
   */
  Map<String, INDArray> run(Map<String, INDArray> feed, OpObserver observer) {
    for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
      INDArray value = feed.get(e.getKey());
      if (value == null || !Arrays.equals(value.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("placeholder " + e.getKey() + " does not match this plan's shape "
            + Arrays.toString(e.getValue().shape()));
      }
      e.getValue().assign(value);
    }
    if (observer == null) {
      for (Step step : steps) {
        run(step);
      }
    } else {
      for (Step step : steps) {
        long start = System.nanoTime();
        run(step);
        observer.opRan(step.op(), step.context(), System.nanoTime() - start);
      }
    }
    return outputs;
  }

  /** The requested outputs of the last pass, by name (overwritten by the next). */
  Map<String, INDArray> outputs() {
    return outputs;
  }

  /** How many ops run a kernel of {@link Kernels} in place of their native call (for tests). */
  long kernels() {
    return steps.stream().filter(s -> s.kernel() != null).count();
  }

  /** Bytes of the op outputs this plan owns (its placeholder copies, a few ids and masks, aside). */
  long bytes() {
    return pool.bytes();
  }

  @Override
  public void close() {
    for (Step step : steps) {
      try {
        step.context().close();
      } catch (Exception e) {
        // a context already closed
      }
    }
    steps.clear();
    pool.close();
    for (INDArray a : placeholders.values()) {
      if (!a.wasClosed()) {
        a.close();
      }
    }
    outputs.clear();
  }

  private static void run(Step step) {
    if (step.kernel() != null) {
      step.kernel().run();
    } else if (step.op() instanceof CustomOp) {
      Nd4j.getExecutioner().exec((CustomOp) step.op(), step.context());
    } else {
      Nd4j.getExecutioner().exec((Op) step.op(), step.context());
    }
  }

  private INDArray input(SameDiff graph, String name, Map<String, INDArray> values) {
    SDVariable v = graph.getVariable(name);
    VariableType type = v.getVariableType();
    INDArray a;
    if (type == VariableType.VARIABLE || type == VariableType.CONSTANT) {
      a = v.getArr();
    } else if (type == VariableType.PLACEHOLDER) {
      a = placeholders.get(name);
    } else {
      a = values.get(name);
    }
    if (a == null) {
      throw new IllegalStateException("no array for " + name + " (" + type + ") when its reader runs");
    }
    return a;
  }

  private static boolean isOpOutput(SameDiff graph, String name) {
    return graph.getVariable(name).getVariableType() == VariableType.ARRAY;
  }

  private static String root(Map<String, String> aliasOf, String name) {
    return aliasOf.getOrDefault(name, name);
  }

  private static SameDiffOp op(SameDiff graph, String name) {
    SameDiffOp op = graph.getOps().get(name);
    if (op == null) {
      throw new IllegalStateException("the graph has no op " + name);
    }
    return op;
  }

  private static String[] argNames(DifferentialFunction df) {
    String[] names = df.argNames();
    return names == null ? new String[0] : names;
  }
}
