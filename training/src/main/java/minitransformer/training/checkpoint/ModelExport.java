package minitransformer.training.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import minitransformer.framework.GPTConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model for other programs: {@code NAME.npz} (every parameter, a float32 array named as in
 * the graph, e.g. {@code h0.attn.W_Q}), and beside it {@code model_config.json} (the architecture as
 * {@link ModelConfigJson} writes it, between this format's name and version and informational keys) and {@code tokenizer.json}. checkpoints/README.md documents every array.
 */
public final class ModelExport {
  public static final String MODEL_CONFIG_FILE = "model_config.json";
  public static final String TOKENIZER_FILE = "tokenizer.json";
  public static final String FORMAT = "minitransformer-model";
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelExport() {}

  /** The three files of an export. */
  public record ExportFiles(Path npz, Path modelConfig, Path tokenizer) {
    /** model_config.json and tokenizer.json in the directory of the .npz. */
    public static ExportFiles beside(Path npz) {
      Path dir = npz.toAbsolutePath().getParent();
      return new ExportFiles(npz, dir.resolve(MODEL_CONFIG_FILE), dir.resolve(TOKENIZER_FILE));
    }
  }

  /** What an import reads: a model that {@code GPT.create(config, seed).loadParameters(parameters)} rebuilds. */
  public record Model(GPTConfig config, Map<String, INDArray> parameters, String tokenizerJson) {}

  /** Writes the .npz, then model_config.json and tokenizer.json beside it (each via a temporary file and a rename). */
  public static ExportFiles write(Model model, Path npz) {
    ExportFiles files = ExportFiles.beside(npz);
    model.parameters().forEach((name, array) -> {
      if (array.dataType() != DataType.FLOAT) {
        throw new CheckpointException("parameter " + name + " is " + array.dataType() + "; exports hold float32");
      }
    });
    try {
      Files.createDirectories(files.modelConfig().getParent());
      writeAtomically(npz, out -> Npz.write(out, model.parameters()));
      byte[] config = JSON.writeValueAsBytes(configJson(model.config(), model.parameters()));
      writeAtomically(files.modelConfig(), out -> out.write(config));
      byte[] tokenizer = model.tokenizerJson().getBytes(StandardCharsets.UTF_8);
      writeAtomically(files.tokenizer(), out -> out.write(tokenizer));
    } catch (IOException e) {
      String why = DurableFiles.isDiskFull(e) ? "the disk is full (" + e.getMessage() + ")" : e.toString();
      throw new CheckpointException("cannot write the export " + npz + ": " + why, e);
    }
    return files;
  }

  /** Reads an export; errors name the file and the problem. Names and shapes are checked by the GPT that loads them. */
  public static Model read(Path npz, Path modelConfig, Path tokenizer) {
    for (Path p : new Path[] {npz, modelConfig, tokenizer}) {
      if (!Files.isRegularFile(p)) throw new CheckpointException(p + ": no such file");
    }
    GPTConfig config = readConfig(modelConfig);
    Map<String, INDArray> parameters = Npz.read(npz);
    parameters.forEach((name, array) -> {
      if (array.dataType() != DataType.FLOAT) {
        throw new CheckpointException(npz + ": array " + Npz.entryName(name) + " is "
            + array.dataType().toString().toLowerCase(Locale.ROOT) + ", expected float32 (convert it with"
            + " .astype(numpy.float32) if that is intended)");
      }
    });
    String tokenizerJson;
    try {
      tokenizerJson = Files.readString(tokenizer, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CheckpointException(tokenizer + ": cannot read (" + e.getMessage() + ")", e);
    }
    return new Model(config, parameters, tokenizerJson);
  }

  static ObjectNode configJson(GPTConfig c, Map<String, INDArray> parameters) {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", FORMAT);
    n.put("format_version", FORMAT_VERSION);
    ModelConfigJson.write(c, n); // layer_norm_eps among them
    // Informational: how the arrays are used (see checkpoints/README.md); not read back.
    n.put("activation", "gelu_tanh");
    n.put("weight_layout", "[in, out]: y = x @ W + b");
    n.put("array_names", "graph names with '/' written as '.', e.g. h0.attn.W_Q");
    ObjectNode shapes = n.putObject("arrays");
    parameters.forEach((name, a) -> {
      var list = shapes.putArray(Npz.entryName(name).replaceAll("\\.npy$", ""));
      for (long d : a.shape()) list.add(d);
    });
    return n;
  }

  static GPTConfig readConfig(Path file) {
    JsonNode n;
    try {
      n = JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (n == null || !n.isObject()) throw new CheckpointException(file + ": not a JSON object");
    if (n.has("format") && !FORMAT.equals(n.get("format").asText())) {
      throw new CheckpointException(file + ": format is '" + n.get("format").asText() + "', expected '" + FORMAT + "'");
    }
    if (n.has("format_version") && n.get("format_version").asLong() > FORMAT_VERSION) {
      throw new CheckpointException(file + ": model format version " + n.get("format_version").asLong()
          + " is newer than this program reads (" + FORMAT_VERSION + ")");
    }
    return ModelConfigJson.read(n, file.toString());
  }

  private interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private static void writeAtomically(Path file, Body body) throws IOException {
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.deleteIfExists(temp);
    try {
      try (OutputStream out = ByteSink.FILES.create(temp)) {
        body.writeTo(out);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
