package minitransformer.framework.exec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The engine's entry point: how one graph runs its training passes (the loss and every parameter's
 * gradient) and its evaluation passes (the loss). When a pass runs in SameDiff's session, when it is
 * replayed, and what that asks of the caller: see the package documentation ({@link
 * minitransformer.framework.exec}).
 *
 * <p>Not thread-safe: one pass at a time, as for the graph itself.
 */
public final class Passes {
  private final SameDiff sd;
  private final String lossName;
  private final List<String> parameterNames;
  private final StepArrays stepArrays = new StepArrays();
  private final OrderRecorder orderRecorder = new OrderRecorder();
  private final ReplayedPasses training = new ReplayedPasses();
  private final ReplayedPasses evaluation = new ReplayedPasses();
  private boolean replay = true;
  private OpObserver observer;
  /** Each parameter's gradient variable in the gradient function, in parameterNames order (once it exists). */
  private List<String> gradientNames;
  /** The outputs a training pass requests: the loss, then gradientNames. */
  private List<String> requestedByTraining;

  /**
   * The passes of sd, whose scalar loss variable is lossName and whose trainable parameters are
   * parameterNames (their gradients come back in this order). Attaches the engine's listener to sd.
   */
  public Passes(SameDiff sd, String lossName, List<String> parameterNames) {
    this.sd = sd;
    this.lossName = lossName;
    this.parameterNames = List.copyOf(parameterNames);
    sd.addListeners(orderRecorder);
  }

  /**
   * The loss and every parameter's gradient (arrays the caller owns) for a training feed. While
   * passes replay, the result comes from the shape's plan also on its first pass: the session runs
   * it to record the op order and the plan is built and run at once, so a result does not depend
   * on whether its pass was the shape's first (a resumed run gives the same bits as an unbroken one
   * although the plan's kernels round differently from the session's native calls).
   */
  public LossAndGradients lossAndGradients(Map<String, INDArray> feed) {
    LossAndGradients replayed = replayedTraining(feed);
    if (replayed != null) {
      return replayed;
    }
    stepArrays.start(sd, feed.values());
    orderRecorder.start(stepArrays);
    OutAndGrad result;
    try {
      result = sd.getFunction("grad") == null
          ? GradientSessions.building(() -> sd.calculateGradientsAndOutputs(feed, List.of(lossName), parameterNames))
          : sd.calculateGradientsAndOutputs(feed, List.of(lossName), parameterNames);
    } finally {
      List<String> order = orderRecorder.stop();
      if (replaying()) {
        training.recorded(feed, orderRecorder.graph(), order);
      }
    }
    Map<String, INDArray> gradients = new LinkedHashMap<>();
    for (String name : parameterNames) {
      gradients.put(name, result.getGradients().get(name));
    }
    double loss = result.getOutputs().get(lossName).getDouble(0);
    GradientSessions.release(sd);
    stepArrays.release(sd, feed.values(), gradients.values()); // every op output but the gradients
    LossAndGradients session = new LossAndGradients(loss, gradients);
    replayed = replayedTraining(feed);
    if (replayed == null) {
      return session;
    }
    session.release();
    return replayed;
  }

  /** The loss for an evaluation feed; from the shape's plan also on its first pass, as for training. */
  public double loss(Map<String, INDArray> feed) {
    if (!replaying()) {
      return sd.output(feed, lossName).get(lossName).getDouble(0);
    }
    Map<String, INDArray> out = evaluation.run(feed, List.of(lossName), observer);
    if (out != null) {
      return out.get(lossName).getDouble(0);
    }
    double loss;
    orderRecorder.start(null);
    try {
      loss = sd.output(feed, lossName).get(lossName).getDouble(0);
    } finally {
      List<String> order = orderRecorder.stop();
      evaluation.recorded(feed, orderRecorder.graph(), order);
      // Later passes of this shape are replayed, so the session this one built would only hold its
      // op contexts' arrays and its memory manager's cache of every freed output for the rest of the
      // run (a short shakespeare-char run with two workers peaked 35 MB lower without it).
      Sessions.release(sd);
    }
    out = evaluation.run(feed, List.of(lossName), observer);
    return out == null ? loss : out.get(lossName).getDouble(0);
  }

  /** The training pass from feed's plan (built now if its op order was recorded), or null. */
  private LossAndGradients replayedTraining(Map<String, INDArray> feed) {
    if (!replaying() || sd.getFunction("grad") == null) {
      return null;
    }
    nameGradients();
    Map<String, INDArray> out = training.run(feed, requestedByTraining, observer);
    if (out == null) {
      return null;
    }
    Map<String, INDArray> gradients = new LinkedHashMap<>();
    for (int i = 0; i < parameterNames.size(); i++) {
      // the plan's array is overwritten by its next pass
      gradients.put(parameterNames.get(i), out.get(gradientNames.get(i)).dup());
    }
    return new LossAndGradients(out.get(lossName).getDouble(0), gradients);
  }

  /**
   * Whether plans run the engine's own kernels ({@link Kernels}: BLAS calls for matrix products,
   * Java loops for the sigmoid) in place of those ops' native calls: on by default. Off, a replayed
   * pass gives the same bits as SameDiff's session. Frees the plans held.
   */
  public void kernels(boolean on) {
    training.kernels(on);
    evaluation.kernels(on);
  }

  /** Ops of the plans held that run a kernel in place of their native call (for tests). */
  public long kernelOps() {
    return training.kernelOps() + evaluation.kernelOps();
  }

  /**
   * Turns replayed passes on (the default) or off; off, every pass runs in SameDiff's session and
   * the replayed passes held so far are freed. The results are the same bits either way when the
   * engine's kernels are off ({@link #kernels}), and within float rounding when they are on.
   */
  public void replay(boolean on) {
    replay = on;
    if (!on) {
      release();
    }
  }

  /**
   * Frees the arrays of the replayed passes now, when no more passes are coming soon (they are
   * recorded and built again if they do).
   */
  public void release() {
    training.close();
    evaluation.close();
  }

  /** Shows every op of later replayed passes to observer (null: none) with its native time. */
  public void observe(OpObserver observer) {
    this.observer = observer;
  }

  /** Bytes of the arrays the replayed passes hold (for tests and memory reports). */
  public long replayedBytes() {
    return training.bytes() + evaluation.bytes();
  }

  StepArrays stepArrays() {
    return stepArrays;
  }

  /**
   * Whether passes are replayed: yes unless turned off or a listener other than the engine's is attached,
   * since a replayed pass calls no listener (op counts and the like see SameDiff's session).
   */
  private boolean replaying() {
    if (!replay) {
      return false;
    }
    for (var listener : sd.getListeners()) {
      if (listener != orderRecorder) {
        return false;
      }
    }
    return true;
  }

  /** Looks the gradient variables up once: they exist from the first training pass on. */
  private void nameGradients() {
    if (gradientNames != null) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (String p : parameterNames) {
      names.add(sd.getVariable(p).getGradient().name());
    }
    gradientNames = List.copyOf(names);
    List<String> requested = new ArrayList<>();
    requested.add(lossName);
    requested.addAll(gradientNames);
    requestedByTraining = List.copyOf(requested);
  }
}
