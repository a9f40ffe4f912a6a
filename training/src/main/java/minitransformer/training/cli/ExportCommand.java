package minitransformer.training.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelExport;
import minitransformer.training.checkpoint.TrainingState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code export --checkpoint DIR --out model.npz}: the weights for NumPy or PyTorch, documented in checkpoints/README.md. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {"Export a checkpoint's weights to NumPy.", "Writes a checkpoint's weights as a NumPy .npz (numpy.load reads it), with model_config.json and"
        + " tokenizer.json beside it. Array names, shapes and orientation: checkpoints/README.md."})
public final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions checkpoint;

  @Option(names = "--out", required = true, paramLabel = "FILE.npz", description = "The .npz to write.")
  Path out;

  @Option(names = "--force", description = "Replace an existing .npz, model_config.json and tokenizer.json.")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (!force) {
      // Never replace what a user saved earlier without being told to (a second export once did).
      ModelExport.ExportFiles targets = ModelExport.ExportFiles.beside(out);
      Stream.of(targets.npz(), targets.modelConfig(), targets.tokenizer()).filter(Files::exists).findFirst()
          .ifPresent(existing -> {
            throw new BadOptionException(existing + " already exists; export does not replace files (use --force)");
          });
    }
    Path dir = checkpoint.resolve(err);
    TrainingState state = CheckpointStore.load(dir, w -> {});
    GPTConfig config = state.model();
    ModelExport.ExportFiles files =
        ModelExport.write(new ModelExport.Model(config, state.parameters(), state.tokenizerJson()), out);
    spec.commandLine().getOut().printf("exported %s (step %d): %d arrays, %,d parameters%n  %s%n  %s%n  %s%n", dir,
        state.step(), state.parameters().size(), state.parameterCount(), files.npz(), files.modelConfig(),
        files.tokenizer());
    return 0;
  }
}
