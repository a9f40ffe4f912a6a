package minitransformer.framework;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How one model graph runs its training passes (loss and gradients) and its evaluation passes (loss):
 * replayed ({@link ReplayedPass}) once a placeholder shape has run twice, otherwise in SameDiff's
 * session, whose op outputs {@link StepArrays} frees as soon as their last reader has run.
 */
final class Passes {
  private final SameDiff sd;
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

  Passes(SameDiff sd, List<String> parameterNames) {
    this.sd = sd;
    this.parameterNames = parameterNames;
    sd.addListeners(stepArrays, orderRecorder);
  }

  /** The mean loss and every parameter's gradient (arrays the caller owns) for a training feed. */
  LossAndGradients lossAndGradients(Map<String, INDArray> feed) {
    if (replaying() && sd.getFunction("grad") != null) {
      nameGradients();
      Map<String, INDArray> out = training.run(feed, requestedByTraining, observer);
      if (out != null) {
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        for (int i = 0; i < parameterNames.size(); i++) {
          // the plan's array is overwritten by its next pass
          gradients.put(parameterNames.get(i), out.get(gradientNames.get(i)).dup());
        }
        return new LossAndGradients(out.get(Names.LOSS).getDouble(0), gradients);
      }
    }
    stepArrays.start(sd, feed.values());
    orderRecorder.start();
    OutAndGrad result;
    try {
      result = sd.getFunction("grad") == null
          ? GradientSessions.building(() -> sd.calculateGradientsAndOutputs(feed, List.of(Names.LOSS), parameterNames))
          : sd.calculateGradientsAndOutputs(feed, List.of(Names.LOSS), parameterNames);
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
    double loss = result.getOutputs().get(Names.LOSS).getDouble(0);
    GradientSessions.release(sd);
    stepArrays.release(sd, feed.values(), gradients.values()); // every op output but the gradients
    return new LossAndGradients(loss, gradients);
  }

  /** The mean loss for an evaluation feed. */
  double loss(Map<String, INDArray> feed) {
    if (!replaying()) {
      return sd.output(feed, Names.LOSS).get(Names.LOSS).getDouble(0);
    }
    Map<String, INDArray> out = evaluation.run(feed, List.of(Names.LOSS), observer);
    if (out != null) {
      return out.get(Names.LOSS).getDouble(0);
    }
    orderRecorder.start();
    try {
      return sd.output(feed, Names.LOSS).get(Names.LOSS).getDouble(0);
    } finally {
      List<String> order = orderRecorder.stop();
      evaluation.recorded(feed, orderRecorder.graph(), order);
    }
  }

  /** See {@link GPT#replay}. */
  void replay(boolean on) {
    replay = on;
    if (!on) {
      release();
    }
  }

  /** See {@link GPT#releaseReplayedPasses}. */
  void release() {
    training.close();
    evaluation.close();
  }

  /** See {@link GPT#observeReplayedOps}. */
  void observe(OpObserver observer) {
    this.observer = observer;
  }

  long replayedBytes() {
    return training.bytes() + evaluation.bytes();
  }

  StepArrays stepArrays() {
    return stepArrays;
  }

  /**
   * Whether passes are replayed: yes unless turned off or a listener other than these is attached,
   * since a replayed pass calls no listener (op counts and the like see SameDiff's session).
   */
  private boolean replaying() {
    if (!replay) {
      return false;
    }
    for (var listener : sd.getListeners()) {
      if (listener != stepArrays && listener != orderRecorder) {
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
    requested.add(Names.LOSS);
    requested.addAll(gradientNames);
    requestedByTraining = List.copyOf(requested);
  }
}
