package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import picocli.CommandLine;

/**
 * A tiny word-level model (2 layers, 2 heads, C 16, block 16) trained for 40 steps through the
 * {@code train} command on a few sentences about apples, oranges and phones, once per test JVM, and
 * the command-line runner the analysis tests share.
 */
final class TinyTrainedModel {
  static final String PROMPT = "ben charged his phone and then he wanted the apple";

  private static final String CORPUS = """
      anna peeled an orange and then she wanted the apple .
      ben charged his phone and then he wanted the apple .
      anna ate an orange . anna ate the apple .
      ben called from his phone . ben bought the apple phone .
      the orange was sweet and the apple was sweet .
      the phone was new and the apple phone was new .
      """.repeat(12);

  private static final String CONFIG = """
      model:
        n_layer: 2
        n_head: 2
        n_embd: 16
        block_size: 16
        bias: true
        tie_embeddings: true
      data:
        path: corpus.txt
        tokenizer: word
        lowercase: true
        train_fraction: 0.8
      training:
        max_iters: 40
        batch_size: 8
        learning_rate: 0.01
        min_lr: 0.001
        warmup_iters: 5
        eval_interval: 40
        eval_iters: 2
        checkpoint_interval: 40
        keep_last: 1
      run:
        name: tiny
        out_dir: runs
        prompts: []
        sample_tokens: 5
      """;

  private static Path runDirectory;

  private TinyTrainedModel() {}

  /** The run directory of the trained model (trained on first use). */
  static synchronized Path run() throws IOException {
    if (runDirectory == null) {
      Path dir = Files.createTempDirectory("tiny-trained-");
      Files.writeString(dir.resolve("corpus.txt"), CORPUS, StandardCharsets.UTF_8);
      Path config = dir.resolve("tiny.yaml");
      Files.writeString(config, CONFIG, StandardCharsets.UTF_8);
      CliRun r = CliRun.of("train", "--quiet", "--config", config.toString());
      assertEquals(0, r.exit(), r.err());
      runDirectory = dir.resolve("runs").resolve("tiny");
    }
    return runDirectory;
  }

  /** The trained model as the commands load it. */
  static GPT model() throws IOException {
    TrainingState state = CheckpointStore.load(run());
    GPT gpt = GPT.create(state.model(), 0);
    gpt.loadParameters(state.parameters());
    return gpt;
  }

  static Tokenizer tokenizer() throws IOException {
    return Tokenizers.fromJson(CheckpointStore.load(run()).tokenizerJson());
  }

}
