package minitransformer.training.optim;

import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the training step needs of an optimizer ({@code training.optimizer}): one update of the live
 * parameter arrays from their (clipped) gradients, and the state a checkpoint must hold to resume
 * exactly.
 */
public interface Optimizer {
  /** The optimizers {@code training.optimizer} names. */
  enum Kind {
    /** {@link AdamW} on every parameter. */
    ADAMW,
    /** {@link Muon} on the blocks' weight matrices, AdamW on the rest. */
    MUON;

    /** The name in a config and in a checkpoint's meta.json: "adamw", "muon". */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The kind a config or checkpoint names; fails naming the unknown value. */
    public static Kind of(String configName) {
      for (Kind kind : values()) {
        if (kind.configName().equals(configName)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("unknown optimizer '" + configName + "' (adamw or muon)");
    }
  }

  Kind kind();

  /**
   * One update of every parameter from its gradient (already clipped).
   *
   * @param lr the schedule's rate at this step ({@code training.learning_rate} at its peak); an
   *     optimizer with a rate of its own scales that by the same multiplier
   */
  void step(Map<String, INDArray> gradients, double lr);

  /** Steps taken so far. */
  long stepCount();

  /** Every state array by its name in optimizer.npz: the live arrays (copy before keeping them). */
  Map<String, INDArray> state();

  /** Copies saved state and the step count back; fails naming a missing or misshapen array. */
  void restore(Map<String, INDArray> state, long stepCount);
}
