package minitransformer.framework.exec;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * Sees every op of a replayed pass ({@link Passes#observe}) once its native call has
 * returned: the op, its context (inputs, outputs, arguments) and how long the call took. For op
 * profiles of the passes that training actually runs; SameDiff's listeners see only passes run in
 * its session.
 */
@FunctionalInterface
public interface OpObserver {
  void opRan(DifferentialFunction op, OpContext context, long nanos);
}
