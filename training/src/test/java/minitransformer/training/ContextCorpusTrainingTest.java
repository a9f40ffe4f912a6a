package minitransformer.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.view.QuietView;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny model learns the project's corpus: validation loss falls far below its untrained ln(V). */
@Tag("slow")
class ContextCorpusTrainingTest {

  @TempDir Path dir;

  private static Path findCorpus() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path corpus = d.resolve("datasets/corpus/context.txt");
      if (Files.exists(corpus)) {
        return corpus;
      }
    }
    return null;
  }

  @Test
  void validationLossFallsBelowABound() {
    Path corpus = findCorpus();
    Assumptions.assumeTrue(corpus != null, "datasets/corpus/context.txt not found above the working directory");
    String yaml =
        """
        model: {n_layer: 1, n_head: 2, n_embd: 32, block_size: 16}
        data: {path: "%s", tokenizer: word, lowercase: true}
        training: {max_iters: 300, batch_size: 16, learning_rate: 3.0e-3, min_lr: 3.0e-4, warmup_iters: 30,
                   beta2: 0.99, eval_interval: 300, eval_iters: 20, checkpoint_interval: 300, seed: 1}
        run: {name: slow, out_dir: "%s"}
        """
            .formatted(corpus, dir);
    TrainingRun run = TrainingRun.start(ConfigLoader.fromYaml(yaml, "slow-test", dir, "slow", List.of()));
    double untrained = Math.log(run.corpus().tokenizer().vocabSize()); // about 6.0 for 400 words
    try (MetricsLog log = MetricsLog.create(run.runDirectory());
        QuietView view = new QuietView(new java.io.PrintWriter(System.out))) {
      new Trainer(run, new CheckpointStore(run.runDirectory(), 1, w -> {}), log, view).train();
    }
    double valLoss = run.state().lastValLoss();
    // measured: 2.14 nats after 300 steps (seed 1); an untrained model is at ln 400 = 6.0
    assertTrue(valLoss < 2.6, "validation loss " + valLoss + " (untrained " + untrained + ")");
  }
}
