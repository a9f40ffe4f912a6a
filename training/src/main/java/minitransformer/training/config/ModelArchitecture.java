package minitransformer.training.config;

import java.util.OptionalInt;
import minitransformer.framework.GPTConfig;

/**
 * The architecture a config file describes, read without its corpus.
 *
 * @param model the model section
 * @param vocabSize {@code model.vocab_size} when the file gives it (architecture files such as
 *     configs/gpt2-small.yaml); otherwise the vocabulary must come from the data
 */
public record ModelArchitecture(ModelSection model, OptionalInt vocabSize) {
  public ModelArchitecture {
    if (model == null || vocabSize == null) {
      throw new IllegalArgumentException("model and vocabSize are required");
    }
  }

  /** The framework's config, with the file's vocab_size. */
  public GPTConfig toGptConfig() {
    return model.toGptConfig(vocabSize.orElseThrow(
        () -> new IllegalStateException("the file gives no " + Schema.VOCAB_SIZE.path())));
  }
}
