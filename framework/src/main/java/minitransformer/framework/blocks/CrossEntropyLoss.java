package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Mean next-token cross-entropy: L = -(1/N) Σ_n log softmax(logits_n)[target_n] over N = B*T rows,
 * written out as -mean(Σ_v y ⊙ logSoftmax(logits)) with one-hot labels y, the row sums taken by
 * one dot-product reduction.
 *
 * <p>Not a built-in loss op. In M2.1 the backprop of sparseSoftmaxCrossEntropy AND of
 * softmaxCrossEntropy ignores the upstream gradient: d(3·L)/dlogits comes out equal to dL/dlogits
 * (measured; with sparseSoftmaxCrossEntropy + mean it is N times too large). As the last node of
 * the graph the upstream gradient is 1 and the result happens to be right, but any scaling of the
 * loss (loss scaling, weighting, summing per-micro-batch losses) would silently be dropped.
 * {@code logSoftmax(x)} without an explicit dimension differentiates correctly (with a dimension
 * gradient creation throws).
 */
public final class CrossEntropyLoss {
  private CrossEntropyLoss() {}

  /** logits (B*T, V), targets (B, T) integer -> scalar named name. */
  public static SDVariable apply(SameDiff sd, String name, SDVariable logits, SDVariable targets, int vocabSize) {
    SDVariable flat = sd.reshape(targets, -1); // (B*T)
    SDVariable y = sd.oneHot(flat, vocabSize, -1, 1.0, 0.0, logits.dataType()); // (B*T, V)
    SDVariable logProbs = sd.nn().logSoftmax(logits); // (B*T, V), over the last axis
    // One reduce_dot instead of an [N, V] product and a sum: Σ_v y ⊙ logProbs without materialising
    // the product (for the word model [768, 11466], 35 MB forward and one more backward).
    SDVariable logLikelihood = sd.dot(logProbs, y, 1); // (B*T): log p(target)
    return logLikelihood.mean().mul(name, -1.0); // ()
  }
}
