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
import minitransformer.framework.GPTConfig;
import minitransformer.training.LoopState;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelExport;
import minitransformer.training.checkpoint.ModelLoader;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.config.Schema;
import minitransformer.training.hf.Gpt2Checkpoint;
import minitransformer.training.hf.HfFolder;
import minitransformer.training.memory.AvailableMemory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code import --npz model.npz --config model_config.json --tokenizer tokenizer.json --out DIR}, or
 * {@code import --hf DIR --out DIR}: a GPT-2 or a Llama as downloaded from Hugging Face (config.json,
 * model.safetensors, and vocab.json with merges.txt or tokenizer.json; a Llama's tokenizer.json must be
 * byte-level BPE, as SmolLM2's is).
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {"Build a checkpoint from NumPy or a Hugging Face GPT-2 or Llama.",
        "Builds a checkpoint (a run directory with step-000000) from an exported or hand-made .npz,"
        + " model_config.json and tokenizer.json, or (--hf) from a GPT-2 folder downloaded from Hugging Face:"
        + " config.json, model.safetensors, and vocab.json with merges.txt or tokenizer.json. Every array is"
        + " checked against the architecture."})
public final class ImportCommand implements Callable<Integer> {
  private final CommandContext context;

  ImportCommand(CommandContext context) {
    this.context = context;
  }

  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Option(names = "--npz", paramLabel = "FILE.npz", description = "The weights (with --config and --tokenizer).")
  Path npz;

  @Option(names = "--config", paramLabel = "model_config.json", description = "The architecture (with --npz).")
  Path modelConfig;

  @Option(names = "--tokenizer", paramLabel = "tokenizer.json", description = "The tokenizer (with --npz).")
  Path tokenizerFile;

  @Option(names = "--hf", paramLabel = "DIR",
      description = "A Hugging Face GPT-2 or Llama folder: config.json, model.safetensors, vocab.json +"
          + " merges.txt or tokenizer.json (byte-level BPE).")
  Path hf;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "A new run directory to create.")
  Path out;

  @Option(names = "--force", description = "Replace an existing, non-empty --out (only once the import has been"
      + " read and built).")
  boolean force;

  @Override
  public Integer call() {
    if (hf != null && (npz != null || modelConfig != null || tokenizerFile != null)) {
      throw new BadOptionException("--hf reads config.json and the tokenizer from its folder; do not give --npz,"
          + " --config or --tokenizer with it");
    }
    if (hf == null && (npz == null || modelConfig == null || tokenizerFile == null)) {
      throw new BadOptionException("give --hf DIR, or all of --npz FILE.npz --config model_config.json"
          + " --tokenizer tokenizer.json");
    }
    if (!force && Files.exists(out) && !isEmptyDirectory(out)) {
      throw new CheckpointException(out + ": already exists and is not empty; import into a new directory"
          + " (or use --force to replace it)");
    }
    if (hf != null) return importHf();
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
    save(gpt, model.config(), ImportedConfig.importedConfigYaml(model.config(), tokenizer.kind(), npz),
        model.tokenizerJson(), npz, Map.of());
    return 0;
  }

  /** --hf: everything in the folder is read and checked (HfFolder) before the model is built. */
  private int importHf() {
    if (!Files.isDirectory(hf)) {
      throw new CheckpointException(hf + ": no such folder (a Hugging Face GPT-2 or Llama: config.json,"
          + " model.safetensors and the tokenizer's files)");
    }
    String weights = hf.resolve(Gpt2Checkpoint.WEIGHTS).toString();
    // refused from config.json alone, before gpt2-large's 3.1 GB of weights are read
    ModelLoader.refuseTooLarge(HfFolder.readConfig(hf), weights, context.memory());
    HfFolder download = HfFolder.read(hf);
    GPT gpt = ModelLoader.build(download.config(), download.parameters(), weights, AvailableMemory.UNKNOWN);
    Map<String, String> source = new LinkedHashMap<>();
    source.put("format", download.layout().sourceFormat());
    source.put("path", hf.toAbsolutePath().normalize().toString());
    save(gpt, download.config(),
        ImportedConfig.importedConfigYaml(download.config(), download.tokenizer().kind(), hf),
        Tokenizers.toJson(download.tokenizer()), hf, source);
    return 0;
  }

  private void save(GPT gpt, GPTConfig config, String configYaml, String tokenizerJson, Path from,
      Map<String, String> source) {
    Map<String, INDArray> parameters = new LinkedHashMap<>();
    Map<String, INDArray> moments = new LinkedHashMap<>();
    gpt.parameters().forEach((name, p) -> {
      parameters.put(name, p.dup());
      moments.put("m/" + name, Nd4j.zerosLike(p));
      moments.put("v/" + name, Nd4j.zerosLike(p));
    });
    // Random states as a fresh run with the default seed would start them.
    TrainingState state = LoopState.fresh((Long) Schema.SEED.defaultValue()).toTrainingState(
        config, configYaml, tokenizerJson, parameters, moments, 0);
    if (force && Files.exists(out)) {
      try {
        HfExport.deleteRecursively(out); // only now that the import has been read, checked and built
      } catch (IOException e) {
        throw new CheckpointException(out + ": cannot replace (" + e.getMessage() + ")", e);
      }
    }
    Path saved = new CheckpointStore(out, 1, w -> spec.commandLine().getErr().println("warning: " + w))
        .save(state, false, source);
    spec.commandLine().getOut().printf("imported %s: %d arrays, %,d parameters -> %s%n", from, parameters.size(),
        state.parameterCount(), saved);
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
