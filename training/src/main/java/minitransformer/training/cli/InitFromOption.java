package minitransformer.training.cli;

import java.nio.file.Path;
import java.util.List;
import minitransformer.training.config.ConfigException;
import minitransformer.training.config.Schema;
import picocli.CommandLine.Option;

/**
 * {@code train --init-from CHECKPOINT}: start a new run from a checkpoint's weights, architecture and
 * tokenizer (training.init_from, set as {@code --set} sets a key: relative to the working directory).
 */
final class InitFromOption {
  @Option(
      names = "--init-from",
      paramLabel = "DIR",
      description = "Start a new run from a checkpoint (a run directory: its latest; or one checkpoint):"
          + " architecture, weights and tokenizer from it; data, schedule, optimizer and run settings from"
          + " --config; a fresh optimizer at step 0. A smaller model.block_size crops the position table;"
          + " other model keys the config sets must agree with the checkpoint. Sets training.init_from.")
  Path initFrom;

  /** The override that sets training.init_from, if --init-from was given; refuses --resume beside it. */
  List<String> overrides(Path resume) {
    if (initFrom == null) {
      return List.of();
    }
    if (resume != null) {
      throw new ConfigException("--init-from and --resume cannot be combined: --resume continues a run with its"
          + " optimizer and step, --init-from starts a new run from a checkpoint's weights");
    }
    return List.of(Schema.INIT_FROM.setTo(initFrom));
  }
}
