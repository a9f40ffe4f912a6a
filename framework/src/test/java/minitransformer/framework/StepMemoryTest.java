package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training pass frees its intermediates itself (see StepArrays), and nothing it hands back or
 * still needs is among them: gradients, parameters and later passes are unaffected.
 */
class StepMemoryTest {
  private static final GPTConfig CHAR =
      new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0);

  @Test
  void aPassFreesMostOfItsOpOutputsAndKeepsWhatItReturns() {
    GPT gpt = GPT.create(CHAR, 1);
    OpCounter counter = OpCounter.attachTo(gpt.sameDiff());
    INDArray ids = TinyConfigs.randomIds(12, 64, 65, 1);
    INDArray targets = TinyConfigs.randomIds(12, 64, 65, 2);
    gpt.lossAndGradients(ids, targets, 1);
    counter.reset();
    LossAndGradients pass = gpt.lossAndGradients(ids, targets, 1);
    long released = gpt.lastReleasedBytes();
    System.out.printf("op outputs %.1f MB, freed at the end of the pass %.1f MB%n", counter.outputBytes / 1e6, released / 1e6);
    assertTrue(released > 0.8 * counter.outputBytes, released + " of " + counter.outputBytes);

    // The same pass computed by SameDiff itself, nothing freed: equal loss and gradients.
    OutAndGrad direct = gpt.sameDiff().calculateGradientsAndOutputs(
        gpt.trainingFeed(ids, targets, 1), List.of(Names.LOSS), gpt.parameterNames());
    assertEquals(direct.getOutputs().get(Names.LOSS).getDouble(0), pass.loss(), 0.0);
    for (Map.Entry<String, INDArray> e : pass.gradients().entrySet()) {
      assertFalse(e.getValue().wasClosed(), e.getKey());
      assertEquals(direct.getGradients().get(e.getKey()), e.getValue(), e.getKey());
    }
    for (Map.Entry<String, INDArray> p : gpt.parameters().entrySet()) {
      assertFalse(p.getValue().wasClosed(), p.getKey());
    }

    // Released gradients: the next pass and evaluation still work and give the same values.
    pass.release();
    LossAndGradients again = gpt.lossAndGradients(ids, targets, 1);
    assertEquals(pass.loss(), again.loss(), 0.0);
    assertEquals(direct.getGradients().get(Names.WTE), again.gradients().get(Names.WTE));
    assertEquals(pass.loss(), gpt.loss(ids, targets), 1e-6);
  }
}
