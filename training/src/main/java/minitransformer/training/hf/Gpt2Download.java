package minitransformer.training.hf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.CheckpointException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A GPT-2 as Hugging Face hands it out: a directory with {@code config.json}, {@code model.safetensors}
 * and the tokenizer ({@code tokenizer.json}, or {@code vocab.json} with {@code merges.txt}). Reading
 * checks the architecture, then the tokenizer and that both have the same vocabulary size, and only
 * then reads the weights ({@link Gpt2Checkpoint#read}); writing writes all of them, so that this program
 * and Hugging Face's {@code GPT2LMHeadModel} / {@code GPT2TokenizerFast} read the directory back.
 *
 * @param config the architecture (GPT-2's: bias, tied head, learned positions, the tanh GELU)
 * @param parameters every parameter under this program's names
 * @param tokenizer GPT-2's tokenizer, id for id
 */
public record Gpt2Download(GPTConfig config, Map<String, INDArray> parameters, Gpt2Tokenizer tokenizer) {

  /** Reads a downloaded model directory; every problem is one line naming the file (nothing is built first). */
  public static Gpt2Download read(Path dir) {
    GPTConfig config = Gpt2Checkpoint.readConfig(dir.resolve(Gpt2Checkpoint.CONFIG));
    Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(dir);
    if (tokenizer.vocabSize() != config.vocabSize()) {
      throw new CheckpointException(dir.resolve(Gpt2Checkpoint.CONFIG) + ": vocab_size " + config.vocabSize()
          + " but the tokenizer in " + dir + " has " + tokenizer.vocabSize() + " tokens");
    }
    Gpt2Checkpoint.Model model = Gpt2Checkpoint.read(dir);
    return new Gpt2Download(model.config(), model.parameters(), tokenizer);
  }

  /** Writes config.json, model.safetensors, vocab.json and merges.txt into an existing directory. */
  public void write(Path dir) {
    if (tokenizer.vocabSize() != config.vocabSize()) {
      throw new IllegalArgumentException("the model has " + config.vocabSize() + " tokens, the tokenizer "
          + tokenizer.vocabSize());
    }
    Gpt2Checkpoint.write(dir, config, parameters, tokenizer.endOfText());
    try {
      tokenizer.save(dir);
    } catch (IOException e) {
      throw new CheckpointException("cannot write the tokenizer into " + dir + ": " + e.getMessage(), e);
    }
  }
}
