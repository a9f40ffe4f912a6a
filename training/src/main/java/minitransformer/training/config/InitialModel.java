package minitransformer.training.config;

import java.nio.file.Path;

/**
 * What a config with {@code training.init_from} takes from the checkpoint it names (nanoGPT's
 * {@code init_from}): the whole model section and the tokenizer. The data path, the schedule, the
 * optimizer and the run settings stay the config's. {@link ConfigLoader} asks an InitialModel for the
 * checkpoint's architecture, since reading checkpoints is not the config package's business; the
 * training package's {@code InitFrom} reads it from the checkpoint's meta.json. The rules are in
 * {@link InitialKeys}.
 */
@FunctionalInterface
public interface InitialModel {
  /**
   * The architecture and tokenizer of a checkpoint or run directory (its latest checkpoint).
   *
   * @throws RuntimeException one line naming the path when it is no readable checkpoint
   */
  Checkpoint read(Path checkpointOrRun);

  /**
   * @param directory the checkpoint directory the path named, as messages name it
   * @param model its architecture
   * @param tokenizer its tokenizer's kind (data.tokenizer: char, word, bpe, gpt2)
   * @param vocabSize its tokenizer's vocabulary size
   */
  record Checkpoint(Path directory, ModelSection model, String tokenizer, int vocabSize) {}

  /**
   * For loaders that read no checkpoint: a config that names one is refused in one line that says how
   * to read it ({@code train --config}, or {@code ConfigLoader.load(file, overrides, InitFrom.CHECKPOINTS)}).
   */
  InitialModel UNAVAILABLE = path -> {
    throw new ConfigException(Schema.INIT_FROM.path() + " is read only where a run starts (train --config FILE;"
        + " from Java, ConfigLoader.load(file, overrides, InitFrom.CHECKPOINTS))");
  };
}
