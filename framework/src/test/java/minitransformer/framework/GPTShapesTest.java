package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import minitransformer.framework.exec.LossAndGradients;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class GPTShapesTest {
  @Test
  void everyNamedOutputHasItsShape() {
    GPTConfig config = TinyConfigs.tiny();
    GPT gpt = GPT.create(config, 1);
    int b = 3;
    INDArray ids = TinyConfigs.randomIds(b, TinyConfigs.T, TinyConfigs.V, 7);
    List<String> names = new ArrayList<>(List.of(Names.LOGITS, Names.EMBEDDINGS_OUT, Names.LN_F_OUT));
    for (int i = 0; i < config.nLayer(); i++) {
      names.add(Names.attentionProbs(i));
      names.add(Names.blockOut(i));
    }
    Map<String, INDArray> out = gpt.outputs(ids, names);
    assertArrayEquals(new long[] {b, 8, 11}, out.get(Names.LOGITS).shape());
    assertArrayEquals(new long[] {b, 8, 16}, out.get(Names.EMBEDDINGS_OUT).shape());
    assertArrayEquals(new long[] {b, 8, 16}, out.get(Names.LN_F_OUT).shape());
    for (int i = 0; i < config.nLayer(); i++) {
      assertArrayEquals(new long[] {b, 2, 8, 8}, out.get(Names.attentionProbs(i)).shape());
      assertArrayEquals(new long[] {b, 8, 16}, out.get(Names.blockOut(i)).shape());
    }
  }

  @Test
  void shorterContextThanBlockSizeWorks() {
    GPT gpt = GPT.create(TinyConfigs.tiny(PositionalEncoding.SINUSOIDAL, false, false, 0.1), 1);
    INDArray ids = TinyConfigs.randomIds(2, 3, TinyConfigs.V, 7);
    assertArrayEquals(new long[] {2, 3, 11}, gpt.logits(ids).shape());
    assertArrayEquals(
        new long[] {2, 2, 3, 3}, gpt.outputs(ids, List.of(Names.attentionProbs(1))).get(Names.attentionProbs(1)).shape());
    INDArray one = TinyConfigs.randomIds(1, 1, TinyConfigs.V, 7);
    assertArrayEquals(new long[] {1, 1, 11}, gpt.logits(one).shape());
  }

  @Test
  void lossAndGradientsCoverEveryParameterWithItsShape() {
    GPT gpt = GPT.create(TinyConfigs.tiny(PositionalEncoding.LEARNED, true, false, 0.1), 1);
    INDArray ids = TinyConfigs.randomIds(2, 8, TinyConfigs.V, 7);
    INDArray targets = TinyConfigs.randomIds(2, 8, TinyConfigs.V, 8);
    LossAndGradients lg = gpt.lossAndGradients(ids, targets, 5);
    // Fresh model: the loss is close to ln(V), the loss of a uniform guess.
    assertEquals(Math.log(TinyConfigs.V), lg.loss(), 0.1);
    assertEquals(gpt.parameterNames(), List.copyOf(lg.gradients().keySet()));
    for (String name : gpt.parameterNames()) {
      assertArrayEquals(gpt.parameters().get(name).shape(), lg.gradients().get(name).shape(), name);
      assertTrue(lg.gradients().get(name).norm2Number().doubleValue() > 0, name + " has a zero gradient");
    }
    assertEquals(Math.log(TinyConfigs.V), gpt.loss(ids, targets), 0.1);
  }
}
