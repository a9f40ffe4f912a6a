package minitransformer.framework.analysis;

import java.util.Map;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One block's parameters as double arrays. Biases and β are null in a model without them; the MLP's
 * matrices its kind does not have (W_fc for SwiGLU, W_gate for GELU) are null too.
 */
final class BlockParams {
  final double[][] wQ, wK, wV, wO, wFc, wProj, wGate, wUp, wDown;
  final double[] bQ, bK, bV, bO, bFc, bProj, bGate, bUp, bDown, ln1Gamma, ln1Beta, ln2Gamma, ln2Beta;

  BlockParams(Map<String, INDArray> all, int i) {
    wQ = matrix(all, Names.wQ(i));
    wK = matrix(all, Names.wK(i));
    wV = matrix(all, Names.wV(i));
    wO = matrix(all, Names.wO(i));
    wFc = matrix(all, Names.wFc(i));
    wProj = matrix(all, Names.wProj(i));
    wGate = matrix(all, Names.wGate(i));
    wUp = matrix(all, Names.wUp(i));
    wDown = matrix(all, Names.wDown(i));
    bQ = vector(all, Names.bQ(i));
    bK = vector(all, Names.bK(i));
    bV = vector(all, Names.bV(i));
    bO = vector(all, Names.bO(i));
    bFc = vector(all, Names.bFc(i));
    bProj = vector(all, Names.bProj(i));
    bGate = vector(all, Names.bGate(i));
    bUp = vector(all, Names.bUp(i));
    bDown = vector(all, Names.bDown(i));
    ln1Gamma = vector(all, Names.gamma(Names.ln1(i)));
    ln1Beta = vector(all, Names.beta(Names.ln1(i)));
    ln2Gamma = vector(all, Names.gamma(Names.ln2(i)));
    ln2Beta = vector(all, Names.beta(Names.ln2(i)));
  }

  private static double[][] matrix(Map<String, INDArray> all, String name) {
    INDArray a = all.get(name);
    return a == null ? null : Arrays2.matrix(a);
  }

  private static double[] vector(Map<String, INDArray> all, String name) {
    INDArray a = all.get(name);
    return a == null ? null : Arrays2.flat(a);
  }
}
