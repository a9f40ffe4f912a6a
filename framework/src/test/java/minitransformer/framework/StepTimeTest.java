package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures (and prints) the training step time of the 4-layer model from the shared notes
 * (n_embd 128, 4 heads, block 64, batch 12, vocab 65); asserts only that SGD lowers the loss.
 */
@Tag("slow")
class StepTimeTest {
  @Test
  void fourLayerModelStepTime() {
    GPTConfig config = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, true, true, 0.0);
    GPT gpt = GPT.create(config, 1);
    INDArray ids = TinyConfigs.randomIds(12, 64, 65, 1);
    INDArray targets = TinyConfigs.randomIds(12, 64, 65, 2);
    int warmup = 5;
    int steps = 30;
    double first = Double.NaN;
    double last = Double.NaN;
    long start = 0;
    for (int step = 0; step < warmup + steps; step++) {
      if (step == warmup) {
        start = System.nanoTime();
      }
      LossAndGradients lg = gpt.lossAndGradients(ids, targets, step);
      for (String name : gpt.parameterNames()) {
        gpt.parameters().get(name).subi(lg.gradients().get(name).mul(0.5)); // plain SGD
      }
      if (step == 0) {
        first = lg.loss();
      }
      last = lg.loss();
    }
    double ms = (System.nanoTime() - start) / 1e6 / steps;
    System.out.printf("4-layer model (%,d parameters): %.1f ms per step, %.0f tokens/s; loss %.3f -> %.3f%n",
        ParameterCount.of(gpt).total(), ms, 12 * 64 / (ms / 1000), first, last);
    assertTrue(last < first, "SGD must lower the loss: " + first + " -> " + last);
  }
}
