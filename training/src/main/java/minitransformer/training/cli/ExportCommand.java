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

/**
 * {@code export --checkpoint DIR --out model.npz}: the weights for NumPy or PyTorch, documented in
 * checkpoints/README.md; {@code export --checkpoint DIR --format hf --out DIR2}: a Hugging Face GPT-2
 * folder (config.json, model.safetensors, and vocab.json with merges.txt when the tokenizer is GPT-2's),
 * or a Llama folder for a model of Llama's architecture (tokenizer.json for its tokenizer).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {"Export a checkpoint to NumPy or Hugging Face.", "Writes a checkpoint's weights as a NumPy .npz (numpy.load reads it), with model_config.json and"
        + " tokenizer.json beside it. Array names, shapes and orientation: checkpoints/README.md. With --format hf,"
        + " a model of GPT-2's architecture is written as a Hugging Face GPT-2 folder: config.json,"
        + " model.safetensors, and vocab.json with merges.txt when its tokenizer is GPT-2's; a model of Llama's"
        + " (rope, rmsnorm, swiglu, no biases) as a LlamaForCausalLM folder, with tokenizer.json."})
public final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions checkpoint;

  @Option(names = "--out", required = true, paramLabel = "FILE.npz|DIR",
      description = "The .npz to write (--format npz), or the folder to create (--format hf).")
  Path out;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "npz",
      description = "npz (default): NumPy; hf: a Hugging Face GPT-2 or Llama folder.")
  String format;

  @Option(names = "--force", description = "Replace an existing .npz, model_config.json and tokenizer.json"
      + " (or --format hf's folder).")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if ("hf".equals(format)) {
      return new HfExport(spec.commandLine().getOut(), err).export(() -> checkpoint.read(err), out, force);
    }
    if (!"npz".equals(format)) {
      throw new BadOptionException("--format must be npz or hf, got '" + format + "'");
    }
    if (!force) {
      // Never replace what a user saved earlier without being told to (a second export once did).
      ModelExport.ExportFiles targets = ModelExport.ExportFiles.beside(out);
      Stream.of(targets.npz(), targets.modelConfig(), targets.tokenizer()).filter(Files::exists).findFirst()
          .ifPresent(existing -> {
            throw new BadOptionException(existing + " already exists; export does not replace files (use --force)");
          });
    }
    CheckpointStore.Loaded loaded = checkpoint.read(err);
    Path dir = loaded.directory();
    TrainingState state = loaded.state();
    GPTConfig config = state.model();
    ModelExport.ExportFiles files =
        ModelExport.write(new ModelExport.Model(config, state.parameters(), state.tokenizerJson()), out);
    spec.commandLine().getOut().printf("exported %s (step %d): %d arrays, %,d parameters%n  %s%n  %s%n  %s%n", dir,
        state.step(), state.parameters().size(), state.parameterCount(), files.npz(), files.modelConfig(),
        files.tokenizer());
    return 0;
  }
}
