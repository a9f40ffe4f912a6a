package minitransformer.training.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.exec.LossAndGradients;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradient accumulation over slices of the batch gives the one-pass loss and gradients. */
class MicroBatchesTest {
  private static final int V = 11;

  @Test
  void slicedStepEqualsOnePassWithoutDropout() {
    GPT gpt = GPT.create(new GPTConfig(V, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, false, 0.0), 1);
    INDArray ids = randomIds(5, 8, 7);
    INDArray targets = randomIds(5, 8, 8);
    LossAndGradients whole = gpt.lossAndGradients(ids, targets, 3);
    for (int micro : List.of(1, 2)) { // 2: slices of 2, 2 and 1 sequences, weighted by size
      LossAndGradients sliced = MicroBatches.lossAndGradients(gpt, ids, targets, 3, micro);
      assertEquals(whole.loss(), sliced.loss(), 1e-5, "loss, micro-batch " + micro);
      for (String name : gpt.parameterNames()) {
        INDArray a = whole.gradients().get(name);
        INDArray b = sliced.gradients().get(name);
        double scale = a.norm2Number().doubleValue();
        double diff = a.sub(b).norm2Number().doubleValue();
        // b_K's true gradient is 0 (softmax ignores a constant per query): roundoff only, hence the floor.
        assertTrue(diff <= 1e-4 * scale + 1e-8, name + ": |Δ| " + diff + " vs |g| " + scale + ", micro-batch " + micro);
      }
    }
    LossAndGradients unsplit = MicroBatches.lossAndGradients(gpt, ids, targets, 3, 5);
    assertEquals(whole.loss(), unsplit.loss(), 0.0, "micro-batch >= B is the one pass, bit for bit");
  }

  @Test
  void microBatchSizeIsTheLargestDivisorWithinTheBudget() {
    // nanoGPT's shakespeare_char model: ~210 MB per sequence of 256 tokens (185 MB measured).
    GPTConfig big = new GPTConfig(65, 256, 6, 6, 384, PositionalEncoding.LEARNED, false, true, 0.2);
    long perSequence = MicroBatches.trainingBytesPerSequence(big, 256);
    assertTrue(perSequence > 185e6 && perSequence < 250e6, "per sequence " + perSequence);
    assertEquals(8, MicroBatches.size(big, 64, 256, MicroBatches.ACTIVATION_BUDGET_BYTES));
    assertEquals(64, MicroBatches.size(big, 64, 256, 64 * perSequence));
    assertEquals(1, MicroBatches.size(big, 64, 256, 1));
    assertEquals(5, MicroBatches.size(big, 15, 256, 7 * perSequence)); // 7 does not divide 15
    // The CPU recipe (4 layers, C 128, T 64, batch 12) fits in one pass.
    GPTConfig small = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0);
    assertEquals(12, MicroBatches.size(small, 12, 64, MicroBatches.ACTIVATION_BUDGET_BYTES));
  }

  @Test
  void workersShareTheBatchAndTheBudget() {
    GPTConfig small = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0);
    assertEquals(6, MicroBatches.size(small, 12, 64, MicroBatches.ACTIVATION_BUDGET_BYTES, 2));
    assertEquals(3, MicroBatches.size(small, 5, 64, MicroBatches.ACTIVATION_BUDGET_BYTES, 2)); // 3 + 2
    assertEquals(1, MicroBatches.size(small, 1, 64, MicroBatches.ACTIVATION_BUDGET_BYTES, 2));
    assertEquals(12, MicroBatches.size(small, 12, 64, MicroBatches.ACTIVATION_BUDGET_BYTES, 1));
    // Two passes alive at once: each gets half the budget (8 sequences of the big model fit 2 GiB).
    GPTConfig big = new GPTConfig(65, 256, 6, 6, 384, PositionalEncoding.LEARNED, false, true, 0.2);
    assertEquals(4, MicroBatches.size(big, 64, 256, MicroBatches.ACTIVATION_BUDGET_BYTES, 2));
  }

  /**
   * The estimate is an upper bound of what a pass holds, within 1.5 times it, at the bench's char and
   * word shapes (4 layers, 4 heads, C 128, T 64; V 65 and 11,466), with and without dropout: the
   * arrays the replayed pass allocated (its activations at the peak and the gradients it outputs)
   * plus the dropout masks, drawn for the pass and copied into the plan, against B sequences'
   * activations and the gradients the pass outputs (the embedding table's twice more: the lookup's
   * and the head's, before they are summed).
   */
  @Test
  void theEstimateBoundsWhatAReplayedPassHolds() {
    int B = 4;
    int T = 64;
    for (int vocab : List.of(65, 11466)) {
      for (double dropout : List.of(0.0, 0.2)) {
        GPTConfig c = new GPTConfig(vocab, T, 4, 4, 128, PositionalEncoding.LEARNED, false, true, dropout);
        GPT gpt = GPT.create(c, 1);
        for (int pass = 0; pass < 2; pass++) { // the first in SameDiff's session, the second builds the plan
          gpt.lossAndGradients(randomIds(B, T, pass), randomIds(B, T, 10 + pass), pass).release();
        }
        long masks = dropout == 0 ? 0 : 2L * 4 * B * (c.nLayer() * ((long) c.nHead() * T * T + 2L * T * c.nEmbd())
            + (long) T * c.nEmbd());
        long held = gpt.replayedPassBytes() + masks;
        long weights = 4L * ParameterCount.of(c).total();
        long embedding = 4L * vocab * c.nEmbd();
        long estimated = B * MicroBatches.trainingBytesPerSequence(c, T) + weights + 2 * embedding;
        String what = "V " + vocab + ", dropout " + dropout + ": held " + held + ", estimated " + estimated;
        assertTrue(held <= estimated, what);
        assertTrue(estimated <= 1.5 * held, what);
        gpt.releaseReplayedPasses();
      }
    }
  }

  /** B rows of T random ids below V. */
  static INDArray randomIds(int batch, int time, long seed) {
    Random random = new Random(seed);
    int[] flat = new int[batch * time];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = random.nextInt(V);
    }
    return GPT.idsArray(flat, batch, time);
  }
}
