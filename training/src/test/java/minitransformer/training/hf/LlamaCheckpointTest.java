package minitransformer.training.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.function.Consumer;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.Names;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.Python;
import minitransformer.training.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face Llama files, read and written: the logits of a model read from files of LlamaForCausalLM's
 * layout equal those of modeling_llama's forward pass written in NumPy ({@code
 * src/test/python/hf_llama_reference.py}, which shares no code with the Java side) within 1e-5, with
 * q_proj and k_proj taken unpermuted (and permuting them breaks the parity: the test sees a wrong rotary
 * pairing); a written model reads back bit for bit and gives the reference the same logits; every setting
 * or tensor this program does not implement is refused with one line.
 */
class LlamaCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOL = 1e-5;

  @TempDir Path dir;

  /** The reference's shape: 2 layers, C 64, 4 query and 2 key/value heads, SwiGLU of 176, 300 tokens, T 32. */
  private static GPTConfig shape(boolean tied, double theta, double eps) {
    return new GPTConfig(300, 32, 2, 4, 64, PositionalEncoding.ROPE, false, tied, 0.0)
        .withNorm(NormKind.RMSNORM, eps).withMlp(MlpKind.SWIGLU, 176).withKvHeads(2).withRopeTheta(theta);
  }

  @ParameterizedTest(name = "tied {0}")
  @ValueSource(booleans = {true, false})
  void theNameTableCoversEveryParameterOfALlamaShapedModelOnce(boolean tied) {
    GPTConfig c = shape(tied, 10000, 1e-6);
    GPT gpt = GPT.create(c, 1);
    Map<String, long[]> fromTable = new HashMap<>();
    for (LlamaNames.Row row : LlamaNames.table(c)) {
      assertEquals(null, fromTable.put(row.ours(), row.ourShape()), row.ours() + " appears twice in the table");
    }
    assertEquals(new TreeSet<>(gpt.parameterNames()), new TreeSet<>(fromTable.keySet()));
    gpt.parameters().forEach((name, a) -> assertArrayEquals(a.shape(), fromTable.get(name), name));
    assertEquals(1 + 2 * 9 + 1 + (tied ? 0 : 1), LlamaNames.table(c).size());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tied", "untied"})
  void logitsEqualHuggingFacesLlamaForwardPass(String variant) throws Exception {
    Python.requireNumpy();
    HfModels.llamaPython("make", dir.toString(), variant);
    Gpt2Checkpoint.Model model = LlamaCheckpoint.read(dir);
    boolean tied = variant.equals("tied");
    assertEquals(tied ? shape(true, 10000, 1e-6) : shape(false, 500000, 1e-5), model.config());
    GPT gpt = GPT.create(model.config(), 0);
    gpt.loadParameters(model.parameters());
    int[][] ids = JSON.readValue(dir.resolve("ids.json").toFile(), int[][].class);
    double[][][] reference = JSON.readValue(dir.resolve("reference_logits.json").toFile(), double[][][].class);
    double worst = Gpt2CheckpointTest.compare(gpt, ids, reference);
    double largest = 0;
    for (double[][] row : reference) for (double[] position : row) for (double v : position) {
      largest = Math.max(largest, Math.abs(v));
    }
    System.out.printf("Llama parity (%s): max |logit difference| %.3g, max |logit| %.3g%n", variant, worst, largest);
    assertTrue(worst < TOL, "max |logit difference| " + worst);

    // The control: q_proj and k_proj rows permuted as a conversion from Meta's interleaved pairs does
    // (rows 2i, 2i+1 of each head to i, i + hs/2). Were this program's rotary pairing not Hugging Face's
    // rotate_half, this is what parity would need; it is far off.
    Map<String, INDArray> permuted = new LinkedHashMap<>(model.parameters());
    for (int i = 0; i < 2; i++) {
      permuted.put(Names.wQ(i), interleavedToHalves(permuted.get(Names.wQ(i)), 16));
      permuted.put(Names.wK(i), interleavedToHalves(permuted.get(Names.wK(i)), 16));
    }
    gpt.loadParameters(permuted);
    double off = Gpt2CheckpointTest.compare(gpt, ids, reference);
    System.out.printf("Llama parity (%s) with q/k rows permuted: max |logit difference| %.3g%n", variant, off);
    assertTrue(off > 1e-2, "permuting q/k rows should break the parity: " + off);
  }

  /** W [C, heads·hs] with the columns of each head reordered from (0, 1, 2, 3, ...) pairs to halves. */
  private static INDArray interleavedToHalves(INDArray w, int hs) {
    INDArray out = w.dup();
    for (int head = 0; head < w.columns() / hs; head++) {
      for (int i = 0; i < hs / 2; i++) {
        out.putColumn(head * hs + i, w.getColumn(head * hs + 2 * i));
        out.putColumn(head * hs + i + hs / 2, w.getColumn(head * hs + 2 * i + 1));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "tied {0}")
  @ValueSource(booleans = {true, false})
  void aWrittenModelGivesTheReferenceTheSameLogitsAndReadsBackBitForBit(boolean tied) throws Exception {
    Python.requireNumpy();
    GPTConfig c = shape(tied, 20000, 1e-5);
    GPT gpt = GPT.create(c, 5);
    randomise(gpt, 6); // weights of std 0.1 keep the logits of order 1 at this width, as the reference's
    LlamaCheckpoint.write(dir, c, gpt.parameters(), OptionalInt.of(299));
    JsonNode config = JSON.readTree(dir.resolve(Gpt2Checkpoint.CONFIG).toFile());
    assertEquals("LlamaForCausalLM", config.get("architectures").get(0).textValue());
    assertEquals(2, config.get("num_key_value_heads").intValue());
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(Gpt2Checkpoint.WEIGHTS))) {
      assertArrayEquals(new long[] {32, 64}, f.entry("model.layers.1.self_attn.k_proj.weight").shape());
      assertEquals(!tied, f.contains(LlamaNames.LM_HEAD), "lm_head.weight only when untied");
    }
    int[][] ids = {{1, 7, 299, 0, 42, 42, 3, 250}, {5, 4, 3, 2, 1, 0, 298, 17}};
    double worst = Gpt2CheckpointTest.compare(gpt, ids, HfModels.llamaReferenceLogits(dir, ids));
    System.out.printf("Llama export parity (tied %s): max |logit difference| %.3g%n", tied, worst);
    assertTrue(worst < TOL, "max |logit difference| " + worst);

    Gpt2Checkpoint.Model back = LlamaCheckpoint.read(dir);
    assertEquals(c, back.config());
    gpt.parameters().forEach((name, a) -> assertArrayEquals(a.castTo(DataType.FLOAT).dup('c').data().asFloat(),
        back.parameters().get(name).dup('c').data().asFloat(), name + " bit for bit"));
  }

  private static void randomise(GPT gpt, long seed) {
    org.nd4j.linalg.api.rng.Random rng = org.nd4j.linalg.factory.Nd4j.getRandomFactory().getNewRandomInstance(seed);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((name, w) -> {
      INDArray v = org.nd4j.linalg.factory.Nd4j.randn(rng, w.shape()).muli(0.1).castTo(w.dataType());
      values.put(name, name.endsWith("gamma") ? v.addi(1.0) : name.equals(Names.WTE) ? v.muli(2.0) : v);
    });
    gpt.loadParameters(values);
  }

  @Test
  void anotherArchitectureIsNotWrittenAsLlama() {
    GPTConfig c = shape(true, 10000, 1e-5).withQkNorm(true);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> LlamaCheckpoint.write(dir, c, Map.of(), OptionalInt.empty()));
    assertTrue(e.getMessage().contains("qk_norm"), e.getMessage());
    assertFalse(Files.exists(dir.resolve(Gpt2Checkpoint.WEIGHTS)), "nothing written");
  }

  /** A small Llama written by the program, then altered as a bad download would be. */
  private void refused(String expectedPart, Consumer<ObjectNode> editConfig,
      Consumer<Map<String, SafetensorsWriter.Tensor>> editTensors) throws IOException {
    GPTConfig c = new GPTConfig(40, 8, 2, 2, 8, PositionalEncoding.ROPE, false, false, 0.0)
        .withNorm(NormKind.RMSNORM, 1e-5).withMlp(MlpKind.SWIGLU, 24).withKvHeads(1);
    Path d = Files.createTempDirectory(dir, "bad");
    LlamaCheckpoint.write(d, c, GPT.create(c, 3).parameters(), OptionalInt.empty());
    ObjectNode config = (ObjectNode) JSON.readTree(d.resolve(Gpt2Checkpoint.CONFIG).toFile());
    editConfig.accept(config);
    Files.writeString(d.resolve(Gpt2Checkpoint.CONFIG), JSON.writeValueAsString(config));
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(d.resolve(Gpt2Checkpoint.WEIGHTS))) {
      for (String n : f.names()) tensors.put(n, new SafetensorsWriter.Tensor(f.entry(n).shape(), f.floats(n)));
    }
    editTensors.accept(tensors);
    SafetensorsWriter.write(d.resolve(Gpt2Checkpoint.WEIGHTS), tensors, Map.of());
    CheckpointException e = assertThrows(CheckpointException.class, () -> LlamaCheckpoint.read(d));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().contains(expectedPart), "expected '" + expectedPart + "' in: " + e.getMessage());
  }

  private static final Consumer<ObjectNode> SAME_CONFIG = n -> { };
  private static final Consumer<Map<String, SafetensorsWriter.Tensor>> SAME_TENSORS = t -> { };

  @Test
  void settingsThisProgramDoesNotImplementAreRefusedNamingThem() throws IOException {
    refused("rope_scaling {\"rope_type\":\"llama3\",\"factor\":8.0} is not implemented",
        n -> n.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0), SAME_TENSORS);
    refused("rope_scaling {\"type\":\"linear\",\"factor\":2.0} is not implemented",
        n -> n.putObject("rope_scaling").put("type", "linear").put("factor", 2.0), SAME_TENSORS);
    refused("hidden_act \"gelu\" is not implemented", n -> n.put("hidden_act", "gelu"), SAME_TENSORS);
    refused("attention_bias = true is not implemented", n -> n.put("attention_bias", true), SAME_TENSORS);
    refused("mlp_bias = true is not implemented", n -> n.put("mlp_bias", true), SAME_TENSORS);
    refused("head_dim 8 is not implemented", n -> n.put("head_dim", 8), SAME_TENSORS);
    refused("architecture \"MistralForCausalLM\" is not read",
        n -> n.putArray("architectures").add("MistralForCausalLM"), SAME_TENSORS);
    refused("num_key_value_heads (3) must divide num_attention_heads (2)", n -> n.put("num_key_value_heads", 3),
        SAME_TENSORS);
    refused("key 'intermediate_size' must be an integer", n -> n.remove("intermediate_size"), SAME_TENSORS);
  }

  @Test
  void tensorsThatDoNotFitAreRefusedNamingThem() throws IOException {
    refused("tensor 'model.layers.1.mlp.up_proj.weight' is missing", SAME_CONFIG,
        t -> t.remove("model.layers.1.mlp.up_proj.weight"));
    refused("tensor 'lm_head.weight' is missing (config.json says 2 layers of width 8, tie_word_embeddings false)",
        SAME_CONFIG, t -> t.remove(LlamaNames.LM_HEAD));
    refused("tensor 'model.layers.2.input_layernorm.weight' is not part of the 2-layer LlamaForCausalLM", SAME_CONFIG,
        t -> t.put("model.layers.2.input_layernorm.weight", new SafetensorsWriter.Tensor(new long[] {8}, new float[8])));
    refused("tensor 'model.layers.0.self_attn.k_proj.weight' has shape [8, 8], expected [4, 8]", SAME_CONFIG,
        t -> t.put("model.layers.0.self_attn.k_proj.weight", new SafetensorsWriter.Tensor(new long[] {8, 8},
            new float[64])));
    refused("tensor 'model.layers.0.mlp.down_proj.weight' has shape [24, 8], expected [8, 24]", SAME_CONFIG,
        t -> t.put("model.layers.0.mlp.down_proj.weight", new SafetensorsWriter.Tensor(new long[] {24, 8},
            new float[192])));
    refused("tensor 'lm_head.weight' differs from 'model.embed_tokens.weight' (at [0, 0])",
        n -> n.put("tie_word_embeddings", true), SAME_TENSORS);
    refused("tensor 'lm_head.weight' has shape [4], expected [40, 8]", n -> n.put("tie_word_embeddings", true),
        t -> t.put(LlamaNames.LM_HEAD, new SafetensorsWriter.Tensor(new long[] {4}, new float[4])));
  }
}
