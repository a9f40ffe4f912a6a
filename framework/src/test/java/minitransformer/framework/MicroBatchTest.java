package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradient accumulation over slices of the batch gives the one-pass loss and gradients. */
class MicroBatchTest {
  @Test
  void slicedStepEqualsOnePassWithoutDropout() {
    GPT gpt = GPT.create(TinyConfigs.tiny(PositionalEncoding.LEARNED, true, false, 0.0), 1);
    INDArray ids = TinyConfigs.randomIds(5, 8, TinyConfigs.V, 7);
    INDArray targets = TinyConfigs.randomIds(5, 8, TinyConfigs.V, 8);
    LossAndGradients whole = gpt.lossAndGradients(ids, targets, 3);
    for (int micro : List.of(1, 2)) { // 2: slices of 2, 2 and 1 sequences, weighted by size
      LossAndGradients sliced = gpt.lossAndGradients(ids, targets, 3, micro);
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
  }

  @Test
  void repeatedStepsGiveTheSameResult() {
    // The gradient session is dropped after every pass: a second call must rebuild it identically.
    GPT gpt = GPT.create(TinyConfigs.tiny(PositionalEncoding.LEARNED, true, false, 0.1), 1);
    INDArray ids = TinyConfigs.randomIds(2, 8, TinyConfigs.V, 7);
    INDArray targets = TinyConfigs.randomIds(2, 8, TinyConfigs.V, 8);
    LossAndGradients first = gpt.lossAndGradients(ids, targets, 5);
    LossAndGradients second = gpt.lossAndGradients(ids, targets, 5);
    assertEquals(first.loss(), second.loss(), 0.0);
    for (String name : gpt.parameterNames()) {
      assertEquals(first.gradients().get(name), second.gradients().get(name), name);
    }
  }

  @Test
  void microBatchSizeIsTheLargestDivisorWithinTheBudget() {
    // nanoGPT's shakespeare_char model: ~470 MB per sequence of 256 tokens.
    GPTConfig big = new GPTConfig(65, 256, 6, 6, 384, PositionalEncoding.LEARNED, false, true, 0.2);
    long perSequence = GPT.trainingBytesPerSequence(big, 256);
    assertTrue(perSequence > 400e6 && perSequence < 550e6, "per sequence " + perSequence);
    assertEquals(8, GPT.microBatchSize(big, 64, 256, GPT.ACTIVATION_BUDGET_BYTES));
    assertEquals(64, GPT.microBatchSize(big, 64, 256, 64 * perSequence));
    assertEquals(1, GPT.microBatchSize(big, 64, 256, 1));
    assertEquals(5, GPT.microBatchSize(big, 15, 256, 7 * perSequence)); // 7 does not divide 15
    // The CPU recipe (4 layers, C 128, T 64, batch 12) fits in one pass.
    GPTConfig small = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0);
    assertEquals(12, GPT.microBatchSize(small, 12, 64, GPT.ACTIVATION_BUDGET_BYTES));
  }
}
