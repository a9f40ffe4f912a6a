package minitransformer.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitransformer.datasets.SplitMix64;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;

/** A tiny corpus and config for loop and command-line tests (seconds, not minutes). */
public final class TinyRuns {
  private TinyRuns() {}

  /** About 3,000 characters of patterned text over a small alphabet, deterministic. */
  public static String corpusText() {
    String[] words = {"ab", "bca", "cab", "aab", "bc", "ca"};
    SplitMix64 random = new SplitMix64(7);
    StringBuilder text = new StringBuilder();
    while (text.length() < 3000) {
      text.append(words[random.nextInt(words.length)]).append(random.nextInt(5) == 0 ? ".\n" : " ");
    }
    return text.toString();
  }

  /** Writes corpus.txt and tiny.yaml into dir and returns the config file. */
  public static Path write(Path dir, String extraTrainingKeys) throws IOException {
    Files.writeString(dir.resolve("corpus.txt"), corpusText());
    Path config = dir.resolve("tiny.yaml");
    Files.writeString(
        config,
        """
        model:
          n_layer: 1
          n_head: 2
          n_embd: 16
          block_size: 8
          dropout: 0.0
        data:
          path: corpus.txt
          tokenizer: char
        training:
          max_iters: 6
          batch_size: 4
          learning_rate: 1.0e-2
          min_lr: 1.0e-3
          warmup_iters: 1
          lr_decay_iters: 6
          eval_interval: 3
          eval_iters: 2
          log_interval: 2
          checkpoint_interval: 3
          keep_last: 5
        %s
        run:
          name: tiny
          out_dir: runs
          prompt: "ab"
          sample_tokens: 5
        """
            .formatted(extraTrainingKeys.indent(2)));
    return config;
  }

  public static Config config(Path dir, String... overrides) throws IOException {
    return ConfigLoader.load(write(dir, ""), List.of(overrides));
  }
}
