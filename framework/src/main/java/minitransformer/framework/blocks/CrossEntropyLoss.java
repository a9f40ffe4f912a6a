package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Mean next-token cross-entropy: L = -(1/N) Σ_n log softmax(logits_n)[target_n] over N = B*T rows.
 *
 * <p>Uses softmaxCrossEntropy on one-hot labels: M2.1's sparseSoftmaxCrossEntropy has a backprop
 * that ignores the upstream gradient (after a mean it is N times too large).
 */
public final class CrossEntropyLoss {
  private CrossEntropyLoss() {}

  /** logits (B*T, V), targets (B, T) integer -> scalar named name. */
  public static SDVariable apply(SameDiff sd, String name, SDVariable logits, SDVariable targets, int vocabSize) {
    SDVariable flat = sd.reshape(targets, -1); // (B*T)
    SDVariable labels = sd.oneHot(flat, vocabSize, -1, 1.0, 0.0, logits.dataType()); // (B*T, V)
    return sd.loss().softmaxCrossEntropy(name, labels, logits, null); // ()
  }
}
