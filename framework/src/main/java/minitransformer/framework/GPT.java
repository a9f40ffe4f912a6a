package minitransformer.framework;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A GPT decoder built as one SameDiff graph. Token ids are given as integer arrays of shape [B, T]
 * with T <= blockSize. "Eval mode" means dropout off.
 */
public final class GPT {
  // CONTRACT (skeleton): every method below is implemented by the framework work.

  /** Builds the graph and initialises every parameter deterministically from the seed. */
  public static GPT create(GPTConfig config, long seed) {
    throw new UnsupportedOperationException("skeleton");
  }

  public GPTConfig config() { throw new UnsupportedOperationException("skeleton"); }

  public SameDiff sameDiff() { throw new UnsupportedOperationException("skeleton"); }

  /** Trainable parameter names in a stable order, e.g. "wte", "h0/attn/W_Q", "ln_f/gamma". */
  public List<String> parameterNames() { throw new UnsupportedOperationException("skeleton"); }

  /** The live parameter arrays (updating them in place updates the model), in parameterNames order. */
  public Map<String, INDArray> parameters() { throw new UnsupportedOperationException("skeleton"); }

  /** Copies values into the live parameters; fails naming the parameter on a missing name or wrong shape. */
  public void loadParameters(Map<String, INDArray> values) { throw new UnsupportedOperationException("skeleton"); }

  /** Training mode: dropout masks drawn from dropoutSeed (so a step is reproducible). */
  public LossAndGradients lossAndGradients(INDArray ids, INDArray targets, long dropoutSeed) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Eval mode mean cross-entropy. */
  public double loss(INDArray ids, INDArray targets) { throw new UnsupportedOperationException("skeleton"); }

  /** Eval mode logits, shape [B, T, vocabSize]. */
  public INDArray logits(INDArray ids) { throw new UnsupportedOperationException("skeleton"); }

  /** Eval mode: any named graph outputs, e.g. Names.attentionProbs(0) of shape [B, nHead, T, T]. */
  public Map<String, INDArray> outputs(INDArray ids, List<String> names) {
    throw new UnsupportedOperationException("skeleton");
  }
}
