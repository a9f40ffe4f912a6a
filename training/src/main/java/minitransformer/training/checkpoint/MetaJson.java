package minitransformer.training.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPTConfig;
import minitransformer.training.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code meta.json} of a checkpoint, written and read here only: its keys, its own checksum
 * ({@value #META_SHA256}) and its typed fields. checkpoints/README.md documents every key.
 *
 * <p>Versions: 1 had no {@code model} key (the architecture was the model section of
 * {@code config_yaml} and the tokenizer's vocabulary size, still read that way); 2 adds
 * {@code model}, the architecture itself ({@link ModelConfigJson}); 3 is written when that model
 * uses a block option (rope, RMSNorm, SwiGLU, ...), which a version-2 reader would ignore and build
 * GPT-2's blocks instead: it refuses version 3 with one line. A GPT-2-block model is still written as
 * version 2, so older programs keep reading it.
 *
 * <p>{@value #OPTIMIZER} names the optimizer whose state optimizer.npz holds ("adamw", "muon"); a
 * checkpoint saved before the key existed holds AdamW's. An older program ignores the key, but it
 * never resumes Muon's state as AdamW's: config_yaml then names training.optimizer, a key unknown to
 * it, and it refuses the resume with that one line.
 */
final class MetaJson {
  static final String FORMAT = "minitransformer-checkpoint";
  static final int FORMAT_VERSION = 3;
  /** The version written for a model with GPT-2's blocks only, readable by programs that read version 2. */
  static final int GPT2_BLOCKS_VERSION = 2;
  /**
   * meta.json's own checksum: SHA-256 of the document without this key, as this class serializes it.
   * Checked when present; checkpoints saved before it existed have none and still load.
   */
  static final String META_SHA256 = "meta_sha256";

  /** The optimizer whose state optimizer.npz holds; absent (AdamW) before Muon existed. */
  static final String OPTIMIZER = "optimizer";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A parsed meta.json whose format, version and checksum were checked. */
  record Meta(Path file, ObjectNode node, long version) {
    /** The names of the files it lists (model.npz, optimizer.npz), each with its record. */
    Map<String, DurableFiles.FileRecord> files(List<String> required) {
      JsonNode files = node.get("files");
      if (files == null || !files.isObject()) throw missingKey(file, "files");
      for (String name : required) {
        if (!files.has(name)) throw missingKey(file, "files." + name);
      }
      Map<String, DurableFiles.FileRecord> records = new java.util.LinkedHashMap<>();
      List<String> names = new ArrayList<>();
      files.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode record = files.get(name);
        records.put(name, new DurableFiles.FileRecord(longField(record, "bytes", file), textField(record, "sha256", file)));
      }
      return records;
    }

    /** The training state it describes, with the arrays read from the checkpoint's .npz files. */
    TrainingState toState(Map<String, INDArray> parameters, Map<String, INDArray> optimizerState) {
      JsonNode rng = object(node, "rng_state", file);
      JsonNode losses = object(node, "losses", file);
      String configYaml = textField(node, "config_yaml", file);
      String tokenizerJson = textField(node, "tokenizer_json", file);
      GPTConfig model = version >= 2
          ? ModelConfigJson.read(object(node, "model", file), file + " (model)")
          : LegacyModelConfig.read(configYaml, tokenizerJson, file + " (config_yaml)");
      return new TrainingState(
          longField(node, "step", file),
          longField(node, "tokens_seen", file),
          model,
          configYaml,
          tokenizerJson,
          longField(rng, "batch", file),
          longField(rng, "eval", file),
          longField(rng, "dropout", file),
          lossField(losses, "best_val", file),
          lossField(losses, "last_train", file),
          lossField(losses, "last_val", file),
          parameters,
          optimizerState,
          longField(node, "optimizer_step", file),
          optimizer());
    }

    private Optimizer.Kind optimizer() {
      if (!node.has(OPTIMIZER)) {
        return Optimizer.Kind.ADAMW;
      }
      String name = textField(node, OPTIMIZER, file);
      try {
        return Optimizer.Kind.of(name);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(file + ": key '" + OPTIMIZER + "' is '" + name
            + "', an optimizer this program does not know (adamw, muon); use a newer minitransformer");
      }
    }
  }

  private MetaJson() {}

  /** The document for state, listing files (name, size and SHA-256), with its own checksum last. */
  static byte[] write(TrainingState state, Map<String, DurableFiles.FileRecord> files) throws JsonProcessingException {
    return write(state, files, Map.of());
  }

  /** As above, with the optional {@code source} object (where an imported model came from) when not empty. */
  static byte[] write(TrainingState state, Map<String, DurableFiles.FileRecord> files, Map<String, String> source)
      throws JsonProcessingException {
    ObjectNode meta = JSON.createObjectNode();
    meta.put("format", FORMAT);
    meta.put("format_version",
        ModelConfigJson.usesBlockOptions(state.model()) ? FORMAT_VERSION : GPT2_BLOCKS_VERSION);
    meta.put("step", state.step());
    meta.put("tokens_seen", state.tokensSeen());
    meta.put("optimizer_step", state.optimizerStep());
    meta.put(OPTIMIZER, state.optimizer().configName());
    meta.put("parameter_count", state.parameterCount());
    ModelConfigJson.write(state.model(), meta.putObject("model"));
    ObjectNode rng = meta.putObject("rng_state");
    rng.put("batch", state.batchRngState());
    rng.put("eval", state.evalRngState());
    rng.put("dropout", state.dropoutRngState());
    ObjectNode losses = meta.putObject("losses");
    putLoss(losses, "best_val", state.bestValLoss());
    putLoss(losses, "last_train", state.lastTrainLoss());
    putLoss(losses, "last_val", state.lastValLoss());
    meta.put("created", Instant.now().toString());
    if (!source.isEmpty()) {
      ObjectNode from = meta.putObject("source");
      source.forEach(from::put);
    }
    ObjectNode fileNode = meta.putObject("files");
    files.forEach((name, record) -> {
      ObjectNode f = fileNode.putObject(name);
      f.put("bytes", record.bytes());
      f.put("sha256", record.sha256());
    });
    meta.put("config_yaml", state.resolvedConfigYaml());
    meta.put("tokenizer_json", state.tokenizerJson());
    meta.put(META_SHA256, checksum(meta));
    return JSON.writeValueAsBytes(meta);
  }

  /** A loss is a JSON number, or null for NaN (JSON has no NaN). */
  private static void putLoss(ObjectNode node, String key, double value) {
    if (Double.isNaN(value)) node.putNull(key);
    else node.put(key, value);
  }

  /** SHA-256 (hex) of the meta document without its own checksum key, serialized as saved. */
  private static String checksum(ObjectNode meta) throws JsonProcessingException {
    ObjectNode body = meta.deepCopy();
    body.remove(META_SHA256);
    return HexFormat.of().formatHex(DurableFiles.sha256().digest(JSON.writeValueAsBytes(body)));
  }

  /** meta.json parsed, its format and version checked, and its checksum verified when it has one. */
  static Meta read(Path metaFile) {
    if (!Files.isRegularFile(metaFile)) {
      throw new CheckpointException(metaFile + ": missing; " + metaFile.getParent() + " is not a checkpoint directory");
    }
    JsonNode meta;
    try {
      meta = JSON.readTree(Files.readAllBytes(metaFile));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(metaFile + ": not valid JSON (" + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr() + ")", e);
    } catch (IOException e) {
      throw new CheckpointException(metaFile + ": cannot read (" + DurableFiles.describe(e) + ")", e);
    }
    if (meta == null || !meta.isObject()) throw new CheckpointException(metaFile + ": not a JSON object");
    JsonNode format = meta.get("format");
    if (format == null || !FORMAT.equals(format.asText())) {
      throw new CheckpointException(metaFile + ": not a minitransformer checkpoint (format is "
          + (format == null ? "missing" : "'" + format.asText() + "'") + ", expected '" + FORMAT + "')");
    }
    long version = longField(meta, "format_version", metaFile);
    if (version > FORMAT_VERSION) {
      throw new CheckpointException(metaFile + ": checkpoint format version " + version
          + " is newer than this program reads (" + FORMAT_VERSION + "); use a newer minitransformer");
    }
    if (version < 1) throw new CheckpointException(metaFile + ": invalid format_version " + version);
    verifyChecksum((ObjectNode) meta, metaFile);
    return new Meta(metaFile, (ObjectNode) meta, version);
  }

  /** An edited meta.json (step, random state, config...) would resume a different run: refuse it. */
  private static void verifyChecksum(ObjectNode meta, Path metaFile) {
    JsonNode recorded = meta.get(META_SHA256);
    if (recorded == null) return; // saved before meta.json carried its own checksum
    String actual;
    try {
      actual = checksum(meta);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(metaFile + ": cannot check its checksum (" + DurableFiles.describe(e) + ")", e);
    }
    if (!recorded.isTextual() || !actual.equalsIgnoreCase(recorded.asText())) {
      throw new CheckpointException(metaFile + ": checksum mismatch (SHA-256 of its contents " + actual.substring(0, 12)
          + "..., its key '" + META_SHA256 + "' says " + abbreviate(recorded) + "): the file was altered or damaged");
    }
  }

  private static String abbreviate(JsonNode recorded) {
    String text = recorded.isTextual() ? recorded.asText() : recorded.toString();
    return text.length() > 12 ? text.substring(0, 12) + "..." : text;
  }

  private static JsonNode object(JsonNode node, String key, Path metaFile) {
    JsonNode v = node.get(key);
    if (v == null || !v.isObject()) throw missingKey(metaFile, key);
    return v;
  }

  static long longField(JsonNode node, String key, Path metaFile) {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new CheckpointException(metaFile + ": key '" + key + "' must be an integer, got "
          + (v == null ? "nothing" : v.toString()));
    }
    return v.longValue();
  }

  static String textField(JsonNode node, String key, Path metaFile) {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || !v.isTextual()) {
      throw new CheckpointException(metaFile + ": key '" + key + "' must be a string, got "
          + (v == null ? "nothing" : v.getNodeType().toString().toLowerCase()));
    }
    return v.asText();
  }

  static double lossField(JsonNode node, String key, Path metaFile) {
    JsonNode v = node.get(key);
    if (v == null) throw missingKey(metaFile, key);
    if (v.isNull()) return Double.NaN;
    if (!v.isNumber()) throw new CheckpointException(metaFile + ": key '" + key + "' must be a number or null");
    return v.doubleValue();
  }

  private static CheckpointException missingKey(Path metaFile, String key) {
    return new CheckpointException(metaFile + ": missing key '" + key + "'");
  }
}
