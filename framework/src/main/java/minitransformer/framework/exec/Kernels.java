package minitransformer.framework.exec;

import java.util.List;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * Chooses the kernel a {@link ReplayedPass} runs in place of a bound op's native call: {@link
 * GemmKernel} for {@code matmul} and {@code matmul_bp}, {@link SigmoidKernel} for {@code sigmoid}
 * and {@code sigmoid_bp}. Any other op, or one of these whose arrays or arguments a kernel does not
 * take (not float, not dense, transposed results, a scaled product), keeps its native call.
 */
final class Kernels {
  private Kernels() {}

  /** The kernel for op bound to oc, or null for its native call. */
  static Runnable of(DifferentialFunction op, OpContext oc) {
    List<INDArray> in = oc.getInputArrays();
    List<INDArray> out = oc.getOutputArrays();
    return switch (op.opName()) {
      case "matmul" -> in.size() == 2 && out.size() == 1 && op instanceof DynamicCustomOp c
          ? GemmKernel.matmul(in.get(0), in.get(1), out.get(0), c.iArgs(), c.tArgs()) : null;
      case "matmul_bp" -> in.size() == 3 && out.size() == 2 && op instanceof DynamicCustomOp c
          ? GemmKernel.matmulBp(in.get(0), in.get(1), in.get(2), out.get(0), out.get(1), c.iArgs(), c.tArgs())
          : null;
      case "sigmoid" -> in.size() == 1 && out.size() == 1 ? SigmoidKernel.sigmoid(in.get(0), out.get(0)) : null;
      case "sigmoid_bp" -> in.size() == 2 && out.size() == 1
          ? SigmoidKernel.sigmoidBp(in.get(0), in.get(1), out.get(0)) : null;
      default -> null;
    };
  }
}
