package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import minitransformer.framework.exec.LossAndGradients;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link GPT#replica}: a second graph whose parameters are the model's own arrays, so that an update
 * of the model (AdamW works in place) is what the replica computes with, before and after either
 * graph built its gradient function (SameDiff M2.1 copies variables while it builds one).
 */
class ReplicaTest {
  @Test
  void replicaComputesWithTheModelsArraysBeforeAndAfterUpdates() {
    GPTConfig config = TinyConfigs.tiny(PositionalEncoding.LEARNED, true, true, 0.1);
    GPT model = GPT.create(config, 7);
    TestWeights.randomise(model, 0.3, 8);
    GPT replica = model.replica();
    for (String name : model.parameterNames()) {
      assertSame(model.parameters().get(name), replica.parameters().get(name), name);
    }
    INDArray ids = TinyConfigs.randomIds(3, TinyConfigs.T, TinyConfigs.V, 1);
    INDArray targets = TinyConfigs.randomIds(3, TinyConfigs.T, TinyConfigs.V, 2);

    LossAndGradients before = model.lossAndGradients(ids, targets, 5);
    assertSameResult(before, replica.lossAndGradients(ids, targets, 5));
    assertEquals(model.loss(ids, targets), replica.loss(ids, targets));

    // An in-place update, as AdamW's, after both graphs built their gradient functions.
    for (INDArray w : model.parameters().values()) {
      w.muli(0.9).addi(0.01);
    }
    LossAndGradients after = replica.lossAndGradients(ids, targets, 5);
    assertNotEquals(before.loss(), after.loss(), "the replica sees the update");
    assertSameResult(model.lossAndGradients(ids, targets, 5), after);
    assertEquals(model.loss(ids, targets), replica.loss(ids, targets));

    // A replica made after training started, and loadParameters (which assigns in place).
    GPT late = model.replica();
    GPT other = GPT.create(config, 99);
    model.loadParameters(other.parameters());
    assertSameResult(other.lossAndGradients(ids, targets, 5), late.lossAndGradients(ids, targets, 5));
  }

  private static void assertSameResult(LossAndGradients expected, LossAndGradients actual) {
    assertEquals(expected.loss(), actual.loss());
    for (Map.Entry<String, INDArray> e : expected.gradients().entrySet()) {
      assertEquals(e.getValue(), actual.gradients().get(e.getKey()), e.getKey());
    }
  }
}
