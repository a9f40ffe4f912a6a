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
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hugging Face GPT-2 files, read and written: the logits of a model read from files of the hub's exact
 * layout equal those of GPT-2's forward pass written in NumPy from modeling_gpt2.py
 * ({@code src/test/python/hf_gpt2_reference.py}, which shares no code with the Java side), within
 * 1e-5; a written model gives the reference the same logits and reads back bit for bit; every setting
 * or tensor this program does not implement is refused with one line before anything is built.
 */
class Gpt2CheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final double TOL = 1e-5;

  @TempDir Path dir;

  @Test
  void theNameTableCoversEveryParameterOfAGpt2ShapedModelOnce() {
    GPTConfig c = new GPTConfig(50, 16, 3, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0);
    GPT gpt = GPT.create(c, 1);
    Map<String, long[]> fromTable = new HashMap<>();
    for (Gpt2Names.Row row : Gpt2Names.table(c)) {
      for (String ours : row.ours()) {
        assertEquals(null, fromTable.put(ours, row.ourShape()), ours + " appears twice in the table");
      }
    }
    assertEquals(new java.util.TreeSet<>(gpt.parameterNames()), new java.util.TreeSet<>(fromTable.keySet()));
    gpt.parameters().forEach((name, a) -> assertArrayEquals(a.shape(), fromTable.get(name), name));
    assertEquals(2 + 3 * 12 + 2, Gpt2Names.table(c).size(), "wte, wpe, 12 tensors per block, ln_f");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"hub", "lm_head", "f16"})
  void logitsEqualHuggingFacesForwardPass(String variant) throws Exception {
    Python.requireNumpy();
    HfModels.python("make", dir.toString(), variant);
    Gpt2Checkpoint.Model model = Gpt2Checkpoint.read(dir);
    GPTConfig c = model.config();
    assertEquals(new GPTConfig(300, 32, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0)
        .withNorm(NormKind.LAYERNORM, variant.equals("lm_head") ? 1e-3 : 1e-5), c);
    GPT gpt = GPT.create(c, 0);
    gpt.loadParameters(model.parameters());
    int[][] ids = ids(dir);
    double worst = compare(gpt, ids, referenceLogits(dir));
    System.out.printf("GPT-2 parity (%s): max |logit difference| %.3g%n", variant, worst);
    assertTrue(worst < TOL, "max |logit difference| " + worst);
  }

  /** The parity model: GPT-2's 50,257 tokens, 128 positions, 2 layers of 4 heads, width 64. */
  @Test
  void logitsEqualHuggingFacesForwardPassAtGpt2sVocabularySize() throws Exception {
    Python.requireNumpy();
    HfModels.python("make", dir.toString(), "vocab");
    Gpt2Checkpoint.Model model = Gpt2Checkpoint.read(dir);
    assertEquals(new GPTConfig(50257, 128, 2, 4, 64, PositionalEncoding.LEARNED, true, true, 0.0), model.config());
    GPT gpt = GPT.create(model.config(), 0);
    gpt.loadParameters(model.parameters());
    int[][] ids = ids(dir);
    byte[] raw = Files.readAllBytes(dir.resolve("reference_logits.f64"));
    java.nio.DoubleBuffer values =
        java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
    double[][][] reference = new double[ids.length][ids[0].length][50257];
    for (double[][] row : reference) for (double[] position : row) values.get(position);
    double worst = compare(gpt, ids, reference);
    double largest = 0;
    for (double[][] row : reference) {
      for (double[] position : row) {
        for (double v : position) largest = Math.max(largest, Math.abs(v));
      }
    }
    System.out.printf("GPT-2 parity (V 50257, T 128, 2 x 4 heads, C 64): max |logit difference| %.3g,"
        + " max |logit| %.3g%n", worst, largest);
    assertTrue(worst < TOL, "max |logit difference| " + worst);
  }

  @Test
  void aWrittenModelGivesTheReferenceTheSameLogitsAndReadsBackBitForBit() throws Exception {
    Python.requireNumpy();
    GPTConfig c = new GPTConfig(300, 32, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.1).withNorm(NormKind.LAYERNORM, 1e-5);
    GPT gpt = GPT.create(c, 5);
    randomise(gpt, 6);
    Gpt2Checkpoint.write(dir, c, gpt.parameters(), OptionalInt.of(299));
    JsonNode config = JSON.readTree(dir.resolve(Gpt2Checkpoint.CONFIG).toFile());
    assertEquals("GPT2LMHeadModel", config.get("architectures").get(0).textValue());
    assertEquals(299, config.get("eos_token_id").intValue());
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(Gpt2Checkpoint.WEIGHTS))) {
      assertTrue(f.contains("transformer.h.1.attn.c_attn.weight"), "GPT2LMHeadModel's names");
      assertFalse(f.contains(Gpt2Names.LM_HEAD), "the tied head is left out, as save_pretrained does");
      assertEquals(Map.of("format", "pt"), f.metadata());
    }
    int[][] ids = {{1, 7, 299, 0, 42, 42, 3}, {5, 4, 3, 2, 1, 0, 298}};
    Files.writeString(dir.resolve("ids.json"), JSON.writeValueAsString(ids));
    HfModels.python("forward", dir.toString());
    double worst = compare(gpt, ids, referenceLogits(dir));
    System.out.printf("GPT-2 export parity: max |logit difference| %.3g%n", worst);
    assertTrue(worst < TOL, "max |logit difference| " + worst);

    Gpt2Checkpoint.Model back = Gpt2Checkpoint.read(dir);
    assertEquals(new GPTConfig(300, 32, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0).withNorm(NormKind.LAYERNORM, 1e-5), back.config());
    gpt.parameters().forEach((name, a) -> {
      INDArray b = back.parameters().get(name);
      assertArrayEquals(a.shape(), b.shape(), name);
      // JUnit compares floats by their bits (floatToIntBits)
      assertArrayEquals(a.castTo(DataType.FLOAT).dup('c').data().asFloat(), b.dup('c').data().asFloat(),
          name + " bit for bit");
    });
  }

  @Test
  void anotherArchitectureIsNotWritten() {
    GPTConfig c = new GPTConfig(30, 8, 1, 2, 16, PositionalEncoding.SINUSOIDAL, true, true, 0.0);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Gpt2Checkpoint.write(dir, c, Map.of(), OptionalInt.empty()));
    assertTrue(e.getMessage().contains("positional_encoding: sinusoidal"), e.getMessage());
    assertFalse(Files.exists(dir.resolve(Gpt2Checkpoint.WEIGHTS)), "nothing written");
  }

  /** A model written by the program, then altered as a bad download would be. */
  private void refused(String expectedPart, Consumer<ObjectNode> editConfig,
      Consumer<Map<String, SafetensorsWriter.Tensor>> editTensors) throws IOException {
    GPTConfig c = new GPTConfig(40, 8, 2, 2, 8, PositionalEncoding.LEARNED, true, true, 0.0);
    GPT gpt = GPT.create(c, 3);
    Path d = Files.createTempDirectory(dir, "bad");
    Gpt2Checkpoint.write(d, c, gpt.parameters(), OptionalInt.empty());
    ObjectNode config = (ObjectNode) JSON.readTree(d.resolve(Gpt2Checkpoint.CONFIG).toFile());
    editConfig.accept(config);
    Files.writeString(d.resolve(Gpt2Checkpoint.CONFIG), JSON.writeValueAsString(config));
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(d.resolve(Gpt2Checkpoint.WEIGHTS))) {
      for (String n : f.names()) tensors.put(n, new SafetensorsWriter.Tensor(f.entry(n).shape(), f.floats(n)));
    }
    editTensors.accept(tensors);
    SafetensorsWriter.write(d.resolve(Gpt2Checkpoint.WEIGHTS), tensors, Map.of());
    CheckpointException e = assertThrows(CheckpointException.class, () -> Gpt2Checkpoint.read(d));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().contains(expectedPart), "expected '" + expectedPart + "' in: " + e.getMessage());
  }

  private static final Consumer<ObjectNode> SAME_CONFIG = n -> { };
  private static final Consumer<Map<String, SafetensorsWriter.Tensor>> SAME_TENSORS = t -> { };

  @Test
  void settingsThisProgramDoesNotImplementAreRefusedNamingThem() throws IOException {
    refused("activation_function \"relu\" is not implemented", n -> n.put("activation_function", "relu"),
        SAME_TENSORS);
    refused("scale_attn_by_inverse_layer_idx = true is not implemented",
        n -> n.put("scale_attn_by_inverse_layer_idx", true), SAME_TENSORS);
    refused("reorder_and_upcast_attn = true is not implemented", n -> n.put("reorder_and_upcast_attn", true),
        SAME_TENSORS);
    refused("architecture \"LlamaForCausalLM\" is not read",
        n -> n.putArray("architectures").add("LlamaForCausalLM"), SAME_TENSORS);
    refused("model_type \"llama\" is not \"gpt2\"", n -> n.put("model_type", "llama"), SAME_TENSORS);
    refused("n_inner 100 is not implemented", n -> n.put("n_inner", 100), SAME_TENSORS);
    refused("key 'n_head' must be an integer", n -> n.remove("n_head"), SAME_TENSORS);
    refused("n_embd (8) must be divisible by n_head (3)", n -> n.put("n_head", 3), SAME_TENSORS);
  }

  @Test
  void tensorsThatDoNotFitAreRefusedNamingThem() throws IOException {
    refused("tensor 'transformer.h.1.mlp.c_fc.bias' is missing", SAME_CONFIG,
        t -> t.remove("transformer.h.1.mlp.c_fc.bias"));
    refused("tensor 'transformer.h.2.ln_1.weight' is not part of GPT-2's 2-layer", SAME_CONFIG,
        t -> t.put("transformer.h.2.ln_1.weight", new SafetensorsWriter.Tensor(new long[] {8}, new float[8])));
    refused("tensor 'transformer.wpe.weight' has shape [9, 8], expected [8, 8]", SAME_CONFIG,
        t -> t.put("transformer.wpe.weight", new SafetensorsWriter.Tensor(new long[] {9, 8}, new float[72])));
    refused("tensor 'transformer.h.0.attn.c_attn.weight' has shape [8, 8], expected [8, 24]", SAME_CONFIG,
        t -> t.put("transformer.h.0.attn.c_attn.weight", new SafetensorsWriter.Tensor(new long[] {8, 8},
            new float[64])));
    refused("'wte.weight' lacks the prefix", SAME_CONFIG,
        t -> t.put("wte.weight", t.remove("transformer.wte.weight")));
    refused("'lm_head.weight' differs from 'transformer.wte.weight' (at [0, 0]", SAME_CONFIG,
        t -> t.put(Gpt2Names.LM_HEAD, new SafetensorsWriter.Tensor(new long[] {40, 8}, new float[320])));
    refused("n_positions (0) must be positive", n -> n.put("n_positions", 0), SAME_TENSORS);
    // a tied head that equals wte, and the buffers, are accepted
    Path ok = Files.createTempDirectory(dir, "ok");
    GPTConfig c = new GPTConfig(40, 8, 2, 2, 8, PositionalEncoding.LEARNED, true, true, 0.0);
    Gpt2Checkpoint.write(ok, c, GPT.create(c, 3).parameters(), OptionalInt.empty());
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(ok.resolve(Gpt2Checkpoint.WEIGHTS))) {
      for (String n : f.names()) tensors.put(n, new SafetensorsWriter.Tensor(f.entry(n).shape(), f.floats(n)));
    }
    tensors.put(Gpt2Names.LM_HEAD, tensors.get("transformer.wte.weight"));
    tensors.put("transformer.h.0.attn.masked_bias", new SafetensorsWriter.Tensor(new long[] {}, new float[] {-1e4f}));
    SafetensorsWriter.write(ok.resolve(Gpt2Checkpoint.WEIGHTS), tensors, Map.of());
    assertEquals(c, Gpt2Checkpoint.read(ok).config());
  }

  @Test
  void aDirectoryWithoutSafetensorsIsRefusedSayingWhatToDownload() throws IOException {
    Files.writeString(dir.resolve(Gpt2Checkpoint.CONFIG), "{}");
    Files.write(dir.resolve("pytorch_model.bin"), new byte[] {1});
    CheckpointException e = assertThrows(CheckpointException.class, () -> Gpt2Checkpoint.read(dir));
    assertTrue(e.getMessage().contains("download model.safetensors"), e.getMessage());
  }

  @Test
  void splitAndJoinAreInverse() {
    float[] qkv = new float[2 * 3 * 4];
    for (int i = 0; i < qkv.length; i++) qkv[i] = i;
    List<float[]> parts = Gpt2Checkpoint.split(qkv, 3, 4); // [2, 12] -> 3 x [2, 4]
    assertArrayEquals(new float[] {0, 1, 2, 3, 12, 13, 14, 15}, parts.get(0));
    assertArrayEquals(new float[] {4, 5, 6, 7, 16, 17, 18, 19}, parts.get(1));
    assertArrayEquals(new float[] {8, 9, 10, 11, 20, 21, 22, 23}, parts.get(2));
    assertArrayEquals(qkv, Gpt2Checkpoint.join(parts.toArray(new float[0][]), 4));
  }

  // ---- test support

  static void randomise(GPT gpt, long seed) {
    org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((name, w) -> {
      INDArray v = Nd4j.randn(rng, w.shape()).muli(0.3).castTo(w.dataType());
      if (name.endsWith("gamma")) v.addi(1.0);
      values.put(name, v);
    });
    gpt.loadParameters(values);
  }

  private static int[][] ids(Path d) throws IOException {
    return JSON.readValue(d.resolve("ids.json").toFile(), int[][].class);
  }

  private static double[][][] referenceLogits(Path d) throws IOException {
    return JSON.readValue(d.resolve("reference_logits.json").toFile(), double[][][].class);
  }

  /** The largest |logit difference| between the program and the reference over every row and position. */
  static double compare(GPT gpt, int[][] ids, double[][][] reference) {
    int B = ids.length;
    int T = ids[0].length;
    int[] flat = new int[B * T];
    for (int b = 0; b < B; b++) System.arraycopy(ids[b], 0, flat, b * T, T);
    INDArray logits = gpt.logits(GPT.idsArray(flat, B, T)).castTo(DataType.DOUBLE); // (B, T, V)
    double worst = 0;
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        for (int v = 0; v < reference[b][t].length; v++) {
          worst = Math.max(worst, Math.abs(logits.getDouble(b, t, v) - reference[b][t][v]));
        }
      }
    }
    assertEquals(gpt.config().vocabSize(), reference[0][0].length);
    return worst;
  }


}
