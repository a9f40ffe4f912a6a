package minitransformer.training.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which parameters {@link Muon} updates, decided here and nowhere else: the hidden weight matrices,
 * every rank-2 parameter inside a transformer block ({@link Names#block}{@code (i)/...}): W_Q, W_K,
 * W_V, W_O and the MLP's W_fc, W_proj (and any matrix a block variant adds). Keller Jordan's rule:
 * Muon is for hidden layers only, so the token embedding {@code wte}, the learned position table
 * {@code wpe} and the untied head {@code lm_head/W} (outside the blocks), and every rank-1 array
 * (LayerNorm gains and shifts, biases) go to AdamW as {@link #rest()}.
 *
 * @param matrices the hidden matrices by name, in the model's order (the live arrays)
 * @param rest every other parameter, in the model's order (the live arrays)
 */
public record HiddenMatrices(Map<String, INDArray> matrices, Map<String, INDArray> rest) {
  public HiddenMatrices {
    matrices = Collections.unmodifiableMap(new LinkedHashMap<>(matrices));
    rest = Collections.unmodifiableMap(new LinkedHashMap<>(rest));
  }

  /** Splits a model's parameters (nLayer blocks) into the hidden matrices and the rest. */
  public static HiddenMatrices of(Map<String, INDArray> parameters, int nLayer) {
    Map<String, INDArray> matrices = new LinkedHashMap<>();
    Map<String, INDArray> rest = new LinkedHashMap<>();
    parameters.forEach((name, p) -> (isHiddenMatrix(name, p, nLayer) ? matrices : rest).put(name, p));
    return new HiddenMatrices(matrices, rest);
  }

  /** Whether a parameter is a weight matrix inside one of the nLayer blocks. */
  public static boolean isHiddenMatrix(String name, INDArray parameter, int nLayer) {
    if (parameter.rank() != 2) {
      return false;
    }
    for (int i = 0; i < nLayer; i++) {
      if (name.startsWith(Names.block(i) + "/")) {
        return true;
      }
    }
    return false;
  }
}
