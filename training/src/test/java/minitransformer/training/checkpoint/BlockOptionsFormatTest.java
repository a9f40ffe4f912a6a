package minitransformer.training.checkpoint;

import static minitransformer.training.checkpoint.Checkpoints.assertSameState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.optim.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block options in the checkpoint and export formats: written and read back; absent in older
 * documents, where they mean GPT-2's blocks; and a model that uses one is written under a version an
 * older program refuses (it would otherwise ignore the keys and build GPT-2's blocks).
 */
class BlockOptionsFormatTest {
  @TempDir Path tmp;
  private static final ObjectMapper JSON = new ObjectMapper();

  static final GPTConfig LLAMA = new GPTConfig(11, 8, 2, 4, 16, PositionalEncoding.ROPE, false, false, 0.0)
      .withRopeTheta(500000).withNorm(NormKind.RMSNORM, 1e-6).withMlp(MlpKind.SWIGLU, 48).withKvHeads(2)
      .withQkNorm(true).withLogitSoftcap(15);

  private static TrainingState withModel(GPTConfig model) {
    TrainingState s = Checkpoints.state(500, 1);
    return new TrainingState(s.step(), s.tokensSeen(), model, s.resolvedConfigYaml(), s.tokenizerJson(), s.batchRngState(),
        s.evalRngState(), s.dropoutRngState(), s.bestValLoss(), s.lastTrainLoss(), s.lastValLoss(), s.parameters(),
        s.optimizerState(), s.optimizerStep(), Optimizer.Kind.ADAMW);
  }

  private JsonNode savedMeta(TrainingState state) throws IOException {
    Path dir = new CheckpointStore(tmp.resolve("run"), 3, w -> {}).save(state, true);
    return JSON.readTree(Files.readString(dir.resolve("meta.json")));
  }

  @Test
  void aModelWithBlockOptionsIsVersion3AndReadsBack() throws IOException {
    TrainingState saved = withModel(LLAMA);
    JsonNode meta = savedMeta(saved);
    assertEquals(3, meta.get("format_version").asInt()); // a version-2 reader refuses it in one line
    JsonNode model = meta.get("model");
    assertEquals("rope", model.get("positional_encoding").asText());
    assertEquals("rmsnorm", model.get("norm").asText());
    assertEquals("swiglu", model.get("mlp").asText());
    assertEquals(48, model.get("mlp_hidden").asInt());
    assertEquals(2, model.get("n_kv_head").asInt());
    assertTrue(model.get("qk_norm").asBoolean());
    assertEquals(15.0, model.get("logit_softcap").asDouble());
    assertEquals(500000.0, model.get("rope_theta").asDouble());
    assertEquals(1e-6, model.get("norm_eps").asDouble());
    assertSameState(saved, CheckpointStore.load(tmp.resolve("run"), w -> {}));
  }

  @Test
  void gpt2BlocksStayVersion2SoOlderProgramsReadThem() throws IOException {
    JsonNode meta = savedMeta(withModel(Checkpoints.TINY_MODEL));
    assertEquals(2, meta.get("format_version").asInt());
    assertFalse(meta.get("model").has("norm"), "GPT-2's blocks are written as before the block keys existed");
  }

  /** A model document without the block keys (as written before they existed) means GPT-2's blocks. */
  @Test
  void aModelWithoutBlockKeysReadsAsGpt2Blocks() {
    ObjectNode full = JSON.createObjectNode();
    ModelConfigJson.write(LLAMA, full);
    for (String key : List.of("rope_theta", "norm", "norm_eps", "mlp", "mlp_hidden", "n_kv_head", "qk_norm", "logit_softcap")) {
      assertTrue(full.has(key), key);
      full.remove(key);
    }
    full.put("positional_encoding", "learned");
    GPTConfig read = ModelConfigJson.read(full, "meta.json (model)");
    assertTrue(read.hasGpt2Blocks(), read.toString());
    assertEquals(new GPTConfig(11, 8, 2, 4, 16, PositionalEncoding.LEARNED, false, false, 0.0), read);
  }

  @Test
  void aVersion3MetaIsRefusedByAReaderOfVersion2InOneLine() throws IOException {
    // What an older program does with it: its reader's version check, with its own FORMAT_VERSION 2.
    JsonNode meta = savedMeta(withModel(LLAMA));
    long version = meta.get("format_version").asLong();
    assertTrue(version > 2);
    // And this program refuses anything newer than its own version in the same way.
    Path dir = tmp.resolve("run").resolve("step-000500");
    Path metaFile = dir.resolve("meta.json");
    Files.writeString(metaFile, Files.readString(metaFile).replaceFirst("\"format_version\" : \\d+", "\"format_version\" : 4"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir, w -> {}));
    assertTrue(e.getMessage().contains("format version 4 is newer than this program reads (3)"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void exportConfigCarriesTheBlocksUnderVersion2() throws IOException {
    ObjectNode n = ModelExport.configJson(LLAMA, Map.of());
    assertEquals(2, n.get("format_version").asInt());
    assertEquals("silu_gated", n.get("activation").asText());
    Path file = tmp.resolve("model_config.json");
    Files.writeString(file, JSON.writeValueAsString(n));
    assertEquals(LLAMA, ModelExport.readConfig(file));
    assertEquals(1, ModelExport.configJson(Checkpoints.TINY_MODEL, Map.of()).get("format_version").asInt());
  }

  @Test
  void unknownBlockValuesAreRefusedNamingTheKey() {
    ObjectNode n = JSON.createObjectNode();
    ModelConfigJson.write(LLAMA, n);
    n.put("mlp", "geglu");
    CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfigJson.read(n, "model_config.json"));
    assertEquals("model_config.json: mlp 'geglu' must be one of [gelu, swiglu, relu2]", e.getMessage());
    n.put("mlp", "swiglu");
    n.put("n_kv_head", 3);
    e = assertThrows(CheckpointException.class, () -> ModelConfigJson.read(n, "model_config.json"));
    assertEquals("model_config.json: n_kv_head (3) must divide n_head (4) and be at least 1", e.getMessage());
  }
}
