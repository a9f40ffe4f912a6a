package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;

import minitransformer.framework.exec.LossAndGradients;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The gradient session is dropped after every pass: a second call must rebuild it identically. */
class RepeatedStepTest {
  @Test
  void repeatedStepsGiveTheSameResult() {
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
}
