package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.optim.Optimizer;
import org.junit.jupiter.api.Test;

/**
 * configs/shakespeare-char-fast.yaml is the recipe whose losses and times performance.md reports: nanoGPT's
 * shapes and data with the newer blocks and Muon, one evaluation of 200 batches at the end and none at the start.
 */
class RecipeConfigsTest {
  @Test
  void theRecipesAreNanoGptsShapesWithTheNewBlocksAndMuon() {
    for (String name : List.of("shakespeare-char-fast.yaml")) {
      Config c = ConfigLoader.load(ParamsCommandTest.shippedConfig(name), List.of());
      GPTConfig m = c.model().toGptConfig(65);
      assertEquals(List.of(4, 4, 128, 64), List.of(m.nLayer(), m.nHead(), m.nEmbd(), m.blockSize()), name);
      assertEquals(PositionalEncoding.ROPE, m.positionalEncoding(), name);
      assertEquals(NormKind.RMSNORM, m.norm(), name);
      assertEquals(MlpKind.RELU2, m.mlp(), name);
      assertTrue(m.qkNorm() && m.tieEmbeddings() && !m.bias(), name);
      assertEquals(Optimizer.Kind.MUON, c.training().optimizer(), name);
      assertEquals("char", c.data().tokenizer(), name);
      assertEquals(12, c.training().batchSize(), name);
      assertEquals(200, c.training().evalIters(), "the issue's 200 evaluation batches: " + name);
      assertEquals(c.training().maxIters(), c.training().evalInterval(), "one evaluation, at the end: " + name);
      assertEquals(c.training().maxIters(), c.training().schedule().lrDecayIters(), name);
      assertFalse(c.training().evalAtStart(), name);
    }
  }
}
