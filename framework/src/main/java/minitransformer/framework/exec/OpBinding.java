package minitransformer.framework.exec;

import java.util.List;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.BaseReduceOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Binds one op of a {@link ReplayedPass} to its arrays in an {@link OpContext}, as SameDiff M2.1's
 * {@code InferenceSession.getAndParameterizeOp} parameterizes it: the same arguments, outputs of
 * the shapes and types the session would allocate (taken from the plan's {@link ArrayPool}), and
 * the session's handling of legacy reductions and scalar ops. Ops the session runs specially are
 * refused.
 */
final class OpBinding {
  private OpBinding() {}

  /** A custom op: its arguments, and outputs of the shapes its own shape function computes. */
  static void bindCustomOp(SameDiff graph, DynamicCustomOp op, INDArray[] args, OpContext oc, ArrayPool pool) {
    checkSupported(op);
    oc.setArgs(args, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
    String[] outNames = op.outputVariablesNames();
    List<LongShapeDescriptor> shapes = op.calculateOutputShape(oc);
    if (shapes == null || shapes.size() != outNames.length) {
      throw new IllegalStateException(
          "op " + op.getOwnName() + ": " + shapes + " output shapes for " + outNames.length + " outputs");
    }
    for (int k = 0; k < outNames.length; k++) {
      DataType dt = graph.getVariable(outNames[k]).dataType(); // as the session: the variable's type wins
      LongShapeDescriptor shape = shapes.get(k);
      oc.setOutputArray(k, pool.take(shape.dataType() == dt ? shape : shape.asDataType(dt)));
    }
  }

  /**
   * A legacy op: a reduction's second input is its
   * axes (set on the op once: they depend on shapes only), a scalar op's second input its scalar
   * (the array itself, which the plan refills on every pass).
   */
  static void bindLegacyOp(DifferentialFunction df, INDArray[] args, OpContext oc, ArrayPool pool) {
    boolean axisArg = false;
    if (df instanceof ReduceOp reduce && reduce.getOpType() != Op.Type.REDUCE3 && args.length == 2) {
      if (args[1].isEmpty()) {
        throw new UnsupportedOperationException("op " + df.getOwnName() + ": a reduction over no axis");
      }
      df.setDimensions(Shape.normalizeAxis(args[0].rank(), args[1].toIntVector()));
      ((BaseReduceOp) df).setEmptyReduce(false);
      axisArg = true;
    } else if (df instanceof ScalarOp scalarOp && args.length == 2) {
      scalarOp.setScalar(args[1]);
    }
    if (args.length > 0) {
      oc.setInputArray(0, args[0]);
      if (args.length == 2 && !axisArg) {
        oc.setInputArray(1, args[1]);
      }
    }
    List<LongShapeDescriptor> shapes = ((BaseOp) df).calculateOutputShape(oc);
    if (shapes == null || shapes.size() != 1) {
      throw new IllegalStateException("op " + df.getOwnName() + ": no output shape");
    }
    oc.setOutputArray(0, pool.take(shapes.get(0)));
  }

  /** Ops that SameDiff's session runs specially (control flow, views, external errors) are not replayed. */
  private static void checkSupported(DifferentialFunction df) {
    String name = df.getClass().getName();
    if (name.contains(".controlflow.") || name.endsWith(".Assign") || name.endsWith(".CreateView")
        || name.endsWith(".ExternalErrorsFunction") || name.endsWith(".Invoke") || name.contains(".tensorops.")) {
      throw new UnsupportedOperationException(
          "op " + df.getOwnName() + " (" + df.getClass().getSimpleName() + ") cannot be replayed");
    }
  }
}
