package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.InitialModel;
import minitransformer.training.config.ModelSection;
import minitransformer.training.optim.LearningRateSchedule;
import org.junit.jupiter.api.Test;

/**
 * configs/finetune-shakespeare-gpt2.yaml reads as nanoGPT's finetune_shakespeare scaled to a CPU, given a
 * checkpoint of GPT-2 small's architecture (a stand-in for checkpoints/gpt2, which is not in the repository).
 */
class FineTuneConfigTest {
  static final GPTConfig GPT2_SMALL =
      new GPTConfig(50257, 1024, 12, 12, 768, PositionalEncoding.LEARNED, true, true, 0.0);

  @Test
  void theShippedFineTuneConfigCropsGpt2SmallAndTrainsAtASmallConstantRate() {
    Path file = ParamsCommandTest.shippedConfig("finetune-shakespeare-gpt2.yaml");
    List<Path> asked = new ArrayList<>();
    InitialModel gpt2 = path -> {
      asked.add(path);
      return new InitialModel.Checkpoint(path, ModelSection.of(GPT2_SMALL), "gpt2", 50257);
    };
    Config c = ConfigLoader.load(file, List.of(), gpt2);
    Path repository = file.toAbsolutePath().getParent().getParent();
    assertEquals(List.of(repository.resolve("checkpoints/gpt2")), asked);
    assertEquals(repository.resolve("checkpoints/gpt2"), c.training().initFrom());
    assertEquals(new GPTConfig(50257, 128, 12, 12, 768, PositionalEncoding.LEARNED, true, true, 0.0),
        c.model().toGptConfig(50257), "GPT-2 small, its positions cropped to 128");
    assertEquals("gpt2", c.data().tokenizer());
    assertEquals(repository.resolveSibling("shared/datasets/tinyshakespeare.txt").normalize(), c.data().path());
    assertEquals(4, c.training().batchSize());
    assertEquals(3e-5, c.training().learningRate());
    assertEquals(LearningRateSchedule.Shape.CONSTANT, c.training().lrSchedule());
    assertTrue(c.training().maxIters() >= 200 && c.training().maxIters() <= 500, "a few hundred steps");
    assertTrue(c.training().evalInterval() >= 100, "evaluates rarely");
    // --init-from overrides the file's checkpoint, relative to the working directory
    Config other = ConfigLoader.load(file, List.of("training.init_from=elsewhere/gpt2"), gpt2);
    assertEquals(Path.of("elsewhere/gpt2").toAbsolutePath(), other.training().initFrom());
    assertNull(ConfigLoader.load(ParamsCommandTest.shippedConfig("default.yaml"), List.of(), gpt2).training().initFrom());
  }
}
