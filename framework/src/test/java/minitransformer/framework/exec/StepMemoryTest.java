package minitransformer.framework.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.OpCounter;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.TinyConfigs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training pass frees its intermediates itself (see StepArrays), each as soon as the last op that
 * reads it has run, and nothing it hands back or still needs is among them: loss, gradients,
 * parameters, the gradients of an earlier pass and later passes are unaffected, bit for bit. The
 * engine runs on a model's graph here, driven directly (the model's own engine stays idle), with a
 * listener of the test's own attached, so every pass runs in SameDiff's session.
 */
class StepMemoryTest {
  /** The char bench workload (nanoGPT's CPU recipe), and a graph with every optional part switched on. */
  static Stream<GPTConfig> configs() {
    return Stream.of(
        new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0),
        new GPTConfig(65, 32, 2, 4, 64, PositionalEncoding.SINUSOIDAL, true, false, 0.2));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void aPassFreesItsOpOutputsAsItGoesAndKeepsWhatItReturns(GPTConfig config) {
    GPT gpt = GPT.create(config, 1);
    Passes passes = new Passes(gpt.sameDiff(), Names.LOSS, gpt.parameterNames());
    OpCounter counter = OpCounter.attachTo(gpt.sameDiff());
    int B = 12;
    int T = config.blockSize();
    INDArray ids = TinyConfigs.randomIds(B, T, config.vocabSize(), 1);
    INDArray targets = TinyConfigs.randomIds(B, T, config.vocabSize(), 2);
    Map<String, INDArray> feed = gpt.trainingFeed(ids, targets, 1);
    passes.lossAndGradients(feed).release();
    counter.reset();
    LossAndGradients pass = passes.lossAndGradients(feed);
    StepArrays arrays = passes.stepArrays();
    long early = arrays.lastEarlyReleasedBytes();
    long atEnd = arrays.lastReleasedBytes();
    long peak = arrays.lastPeakHeldBytes();
    System.out.printf(
        "op outputs %.1f MB: freed while the pass ran %.1f MB, at its end %.1f MB; at most %.1f MB held at once%n",
        counter.outputBytes / 1e6, early / 1e6, atEnd / 1e6, peak / 1e6);
    assertTrue(early + atEnd > 0.8 * counter.outputBytes, early + " + " + atEnd + " of " + counter.outputBytes);
    // Held at once: the forward activations the backward pass still needs (char: 82 of 284 MB);
    // every output until the end of the pass before StepArrays freed them early.
    assertTrue(peak < 0.5 * counter.outputBytes, peak + " held of " + counter.outputBytes);
    assertTrue(early > 0.5 * counter.outputBytes, early + " freed early of " + counter.outputBytes);

    // The same pass computed by SameDiff itself, nothing freed: equal loss and gradients, bit for bit.
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

    // A second pass while the first one's gradients are still held (as gradient accumulation holds
    // them): it frees only its own arrays, and both passes' values stay exact.
    LossAndGradients again = passes.lossAndGradients(feed);
    assertEquals(pass.loss(), again.loss(), 0.0);
    for (String name : gpt.parameterNames()) {
      assertFalse(pass.gradients().get(name).wasClosed(), name);
      assertEquals(direct.getGradients().get(name), pass.gradients().get(name), name);
      assertEquals(direct.getGradients().get(name), again.gradients().get(name), name);
    }

    // Released gradients: the next pass and evaluation still work and give the same values.
    pass.release();
    again.release();
    LossAndGradients third = passes.lossAndGradients(feed);
    assertEquals(pass.loss(), third.loss(), 0.0);
    assertEquals(direct.getGradients().get(Names.WTE), third.gradients().get(Names.WTE));
    if (config.dropout() == 0) {
      assertEquals(pass.loss(), gpt.loss(ids, targets), 1e-6);
    }
  }
}
