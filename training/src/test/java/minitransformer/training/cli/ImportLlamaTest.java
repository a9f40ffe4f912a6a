package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.hf.HfModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * import --hf of a Llama folder (the NumPy reference's random model with SmolLM2's kind of tokenizer.json),
 * then predict, sample and params on the checkpoint it makes; export --format hf writes the Llama layout
 * back, bit for bit; what is not supported is one line and writes nothing.
 */
class ImportLlamaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = " the cat is in 2026 the hall";

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tied", "untied"})
  void importedLlamaPredictsAsTheReferenceAndSamples(String variant) throws Exception {
    Path hf = tmp.resolve("llama");
    Gpt2Tokenizer tokenizer = HfModels.llama(hf, variant);
    Path out = tmp.resolve("checkpoints/llama");
    CliRun imported = CliRun.of("import", "--hf", hf.toString(), "--out", out.toString());
    assertEquals(0, imported.exit(), imported.err());
    assertTrue(imported.out().startsWith("imported " + hf + ": " + (variant.equals("tied") ? 20 : 21) + " arrays, "),
        imported.out());
    JsonNode meta = JSON.readTree(out.resolve("step-000000/meta.json").toFile());
    assertEquals("huggingface-llama", meta.get("source").get("format").asText());
    assertTrue(JSON.readTree(meta.get("tokenizer_json").asText()).get("individual_digits").asBoolean());

    // predict: the top token and its probability are the softmax of the reference's last logits
    int[] ids = tokenizer.encode(PROMPT);
    double[] last = HfModels.llamaReferenceLogits(hf, new int[][] {ids})[0][ids.length - 1];
    int best = 0;
    for (int v = 0; v < last.length; v++) if (last[v] > last[best]) best = v;
    double z = 0;
    for (double l : last) z += Math.exp(l - last[best]);
    CliRun predict = CliRun.of("predict", "--checkpoint", out.toString(), "--prompt", PROMPT, "--top", "3", "--json");
    assertEquals(0, predict.exit(), predict.err());
    JsonNode top = JSON.readTree(predict.out()).get("predictions").get(0);
    assertEquals(best, top.get("id").asInt());
    assertEquals(1 / z, top.get("probability").asDouble(), 1e-5);

    CliRun sample = CliRun.of("sample", "--checkpoint", out.toString(), "--prompt", PROMPT, "--tokens", "6",
        "--temperature", "0");
    assertEquals(0, sample.exit(), sample.err());
    assertTrue(sample.out().startsWith(PROMPT + tokenizer.decode(new int[] {best})), sample.out());

    CliRun params = CliRun.of("params", "--checkpoint", out.toString());
    assertEquals(0, params.exit(), params.err());
    // 300·64 embedding, per layer 2·64 gains + 64·64 + 2·64·32 + 64·64 + 3·64·176, the final gain, the head
    long expected = 300 * 64 + 2 * (2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 176) + 64
        + (variant.equals("tied") ? 0 : 300 * 64);
    assertTrue(params.out().replace(",", "").contains(Long.toString(expected)), expected + " in:\n" + params.out());
  }

  @Test
  void anImportedLlamaFineTunesWithItsOwnTokenizer() throws Exception {
    Path hf = tmp.resolve("llama");
    HfModels.llama(hf, "tied");
    Path out = tmp.resolve("checkpoints/llama");
    assertEquals(0, CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).exit());
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, (PROMPT + " 1 2 3.").repeat(100));
    CliRun tuned = CliRun.of("train", "--quiet", "--resume", out.toString(), "--set", "data.path=" + corpus,
        "--set", "training.max_iters=2", "--set", "training.batch_size=2", "--set", "training.eval_interval=2",
        "--set", "training.eval_iters=1", "--set", "training.checkpoint_interval=2", "--set", "training.warmup_iters=1",
        "--set", "training.lr_decay_iters=2");
    assertEquals(0, tuned.exit(), tuned.err());
    JsonNode before = JSON.readTree(out.resolve("step-000000/meta.json").toFile());
    JsonNode after = JSON.readTree(out.resolve("step-000002/meta.json").toFile());
    assertEquals(before.get("tokenizer_json").asText(), after.get("tokenizer_json").asText());
    assertEquals(before.get("model"), after.get("model"));
  }

  @Test
  void exportWritesTheLlamaLayoutThatImportReadsBackBitForBit() throws Exception {
    Path hf = tmp.resolve("llama");
    HfModels.llama(hf, "untied");
    Path first = tmp.resolve("checkpoints/first");
    assertEquals(0, CliRun.of("import", "--hf", hf.toString(), "--out", first.toString()).exit());
    Path exported = tmp.resolve("exported");
    CliRun r = CliRun.of("export", "--checkpoint", first.toString(), "--format", "hf", "--out", exported.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("exported " + first.resolve("step-000000") + " (step 0) as a Hugging Face Llama"),
        r.out());
    try (Stream<Path> s = Files.list(exported)) {
      assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Path second = tmp.resolve("checkpoints/second");
    CliRun back = CliRun.of("import", "--hf", exported.toString(), "--out", second.toString());
    assertEquals(0, back.exit(), back.err());
    TrainingState a = CheckpointStore.load(CheckpointStore.resolve(first, w -> {}), w -> {});
    TrainingState b = CheckpointStore.load(CheckpointStore.resolve(second, w -> {}), w -> {});
    assertEquals(a.model(), b.model());
    assertEquals(a.tokenizerJson(), b.tokenizerJson());
    assertBitIdentical(a.parameters(), b.parameters());
  }

  @Test
  void whatIsNotSupportedIsOneLineAndWritesNothing() throws Exception {
    Path hf = tmp.resolve("llama");
    HfModels.llama(hf, "tied");
    Path out = tmp.resolve("run");
    Path config = hf.resolve("config.json");
    String original = Files.readString(config);
    Files.writeString(config, original.replace("\"rope_scaling\": null",
        "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}"));
    CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).assertOneErrorLine("rope_scaling");
    Files.writeString(config, original.replace("\"silu\"", "\"gelu\""));
    CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).assertOneErrorLine("hidden_act \"gelu\"");
    Files.writeString(config, original);
    Files.delete(hf.resolve("tokenizer.json"));
    Files.write(hf.resolve("tokenizer.model"), new byte[] {1});
    CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).assertOneErrorLine("sentencepiece");
    assertFalse(Files.exists(out), "nothing written");
  }

  private static void assertBitIdentical(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, a) -> {
      float[] want = a.dup('c').data().asFloat();
      float[] got = actual.get(name).dup('c').data().asFloat();
      assertEquals(want.length, got.length, name);
      for (int i = 0; i < want.length; i++) {
        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), name + "[" + i + "]");
      }
    });
  }
}
