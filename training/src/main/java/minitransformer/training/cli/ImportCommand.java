package minitransformer.training.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import minitransformer.datasets.DataException;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.training.LoopState;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelExport;
import minitransformer.training.checkpoint.ModelLoader;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.config.Schema;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code import --npz model.npz --config model_config.json --tokenizer tokenizer.json --out DIR}. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {"Build a checkpoint from exported NumPy weights.", "Builds a checkpoint (a run directory with step-000000) from an exported or hand-made .npz,"
        + " model_config.json and tokenizer.json. Every array is checked against the architecture."})
public final class ImportCommand implements Callable<Integer> {
  private final CommandContext context;

  ImportCommand(CommandContext context) {
    this.context = context;
  }

  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Option(names = "--npz", required = true, paramLabel = "FILE.npz", description = "The weights.")
  Path npz;

  @Option(names = "--config", required = true, paramLabel = "model_config.json", description = "The architecture.")
  Path modelConfig;

  @Option(names = "--tokenizer", required = true, paramLabel = "tokenizer.json", description = "The tokenizer.")
  Path tokenizerFile;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "A new run directory to create.")
  Path out;

  @Override
  public Integer call() {
    if (Files.exists(out) && !isEmptyDirectory(out)) {
      throw new CheckpointException(out + ": already exists and is not empty; import into a new directory");
    }
    ModelExport.Model model = ModelExport.read(npz, modelConfig, tokenizerFile);
    Tokenizer tokenizer;
    try {
      tokenizer = Tokenizers.fromJson(model.tokenizerJson());
    } catch (DataException e) {
      throw new DataException(tokenizerFile + ": " + e.getMessage(), e); // e.g. another JSON file given by mistake
    }
    if (tokenizer.vocabSize() != model.config().vocabSize()) {
      throw new CheckpointException(tokenizerFile + ": the tokenizer has " + tokenizer.vocabSize()
          + " tokens but " + modelConfig + " says vocab_size " + model.config().vocabSize());
    }
    // checks every name and shape against the architecture
    GPT gpt = ModelLoader.build(model.config(), model.parameters(),
        npz + " with the architecture in " + modelConfig, context.memory());
    Map<String, INDArray> parameters = new LinkedHashMap<>();
    Map<String, INDArray> moments = new LinkedHashMap<>();
    gpt.parameters().forEach((name, p) -> {
      parameters.put(name, p.dup());
      moments.put("m/" + name, Nd4j.zerosLike(p));
      moments.put("v/" + name, Nd4j.zerosLike(p));
    });
    // Random states as a fresh run with the default seed would start them.
    TrainingState state = LoopState.fresh((Long) Schema.SEED.defaultValue()).toTrainingState(
        model.config(), ImportedConfig.importedConfigYaml(model.config(), tokenizer.kind(), npz),
        model.tokenizerJson(), parameters, moments, 0);
    Path saved = new CheckpointStore(out, 1, w -> spec.commandLine().getErr().println("warning: " + w))
        .save(state, false);
    spec.commandLine().getOut().printf("imported %s: %d arrays, %,d parameters -> %s%n", npz, parameters.size(),
        state.parameterCount(), saved);
    return 0;
  }

  private static boolean isEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
