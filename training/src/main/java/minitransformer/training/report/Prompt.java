package minitransformer.training.report;

import java.util.Optional;
import minitransformer.framework.GPTConfig;

/**
 * An encoded prompt under the one prompt policy of the commands and the server: the model reads the
 * last block_size tokens of a longer prompt ({@link GPTConfig#context}), and a command says so.
 *
 * @param tokens how many tokens the whole prompt has (a prompt read from a file is never held whole)
 * @param context what the model reads: the last block_size of them (all of them when they fit)
 */
public record Prompt(long tokens, int[] context) {

  /** The prompt's tokens as the model of config reads them. */
  public static Prompt of(int[] ids, GPTConfig config) {
    return new Prompt(ids.length, config.context(ids));
  }

  /** The warning a command prints (on stderr) when the model reads only the end of the prompt. */
  public Optional<String> warning() {
    if (context.length == tokens) {
      return Optional.empty();
    }
    return Optional.of("warning: the prompt has " + tokens + " tokens, more than block_size " + context.length
        + "; the model reads its last " + context.length);
  }
}
