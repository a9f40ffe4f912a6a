package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.training.hf.HfModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** import --hf of a hub-layout GPT-2 folder, then sample, predict and inspect on the checkpoint it makes. */
class ImportHfTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = " the cat is in the hall";

  @TempDir Path tmp;

  @Test
  void importedGpt2PredictsAsTheReferenceAndSamplesAndInspects() throws Exception {
    Path hf = tmp.resolve("gpt2");
    Gpt2Tokenizer tokenizer = HfModels.hub(hf);
    Path out = tmp.resolve("checkpoints/gpt2");
    CliRun imported = CliRun.of("import", "--hf", hf.toString(), "--out", out.toString());
    assertEquals(0, imported.exit(), imported.err());
    assertTrue(imported.out().startsWith("imported " + hf + ": 36 arrays, "), imported.out());

    JsonNode meta = JSON.readTree(out.resolve("step-000000/meta.json").toFile());
    assertEquals("huggingface-gpt2", meta.get("source").get("format").asText());
    assertEquals(hf.toAbsolutePath().normalize().toString(), meta.get("source").get("path").asText());
    assertEquals("gpt2", JSON.readTree(meta.get("tokenizer_json").asText()).get("kind").asText());

    // predict: the top token and its probability are the softmax of the reference's last logits
    int[] ids = tokenizer.encode(PROMPT);
    double[] last = HfModels.referenceLogits(hf, new int[][] {ids})[0][ids.length - 1];
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < last.length; v++) {
      if (last[v] > max) {
        max = last[v];
        best = v;
      }
    }
    double z = 0;
    for (double l : last) z += Math.exp(l - max);
    CliRun predict = CliRun.of("predict", "--checkpoint", out.toString(), "--prompt", PROMPT, "--top", "3", "--json");
    assertEquals(0, predict.exit(), predict.err());
    JsonNode top = JSON.readTree(predict.out()).get("predictions").get(0);
    assertEquals(best, top.get("id").asInt());
    assertEquals(1 / z, top.get("probability").asDouble(), 1e-5);

    CliRun sample = CliRun.of("sample", "--checkpoint", out.toString(), "--prompt", PROMPT, "--tokens", "8",
        "--temperature", "0");
    assertEquals(0, sample.exit(), sample.err());
    assertTrue(sample.out().startsWith(PROMPT + tokenizer.decode(new int[] {best})), sample.out());

    CliRun inspect = CliRun.of("inspect", "--checkpoint", out.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    assertTrue(inspect.out().contains("gpt2"), inspect.out());

    CliRun attention = CliRun.of("attention", "--checkpoint", out.toString(), "--prompt", PROMPT, "--layer", "1");
    assertEquals(0, attention.exit(), attention.err());
    CliRun similarity = CliRun.of("similarity", "--checkpoint", out.toString(), "--nearest", " the", "--top", "3");
    assertEquals(0, similarity.exit(), similarity.err());
    assertTrue(similarity.out().startsWith("nearest to \"␣the\""), similarity.out());

    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, PROMPT.repeat(200));
    // fine-tuning: the tokenizer is the checkpoint's own (data.tokenizer: gpt2), the corpus a --set
    CliRun tuned = CliRun.of("train", "--quiet", "--resume", out.toString(), "--set", "data.path=" + corpus,
        "--set", "training.max_iters=4", "--set", "training.batch_size=2", "--set", "training.eval_interval=2",
        "--set", "training.eval_iters=1", "--set", "training.checkpoint_interval=2", "--set", "training.warmup_iters=1",
        "--set", "training.lr_decay_iters=4");
    assertEquals(0, tuned.exit(), tuned.err());
    assertTrue(Files.exists(out.resolve("step-000004/meta.json")), tuned.out());
    JsonNode tunedMeta = JSON.readTree(out.resolve("step-000004/meta.json").toFile());
    assertEquals(meta.get("tokenizer_json").asText(), tunedMeta.get("tokenizer_json").asText());
    CliRun after = CliRun.of("predict", "--checkpoint", out.toString(), "--prompt", PROMPT, "--json");
    assertEquals(0, after.exit(), after.err());

    // a fresh run cannot fit GPT-2's tokenizer: one line
    Path config = tmp.resolve("fresh.yaml");
    Files.writeString(config, "data:\n  path: " + corpus + "\n  tokenizer: gpt2\nrun:\n  out_dir: " + tmp.resolve("runs")
        + "\n");
    CliRun.of("train", "--config", config.toString()).assertOneErrorLine("data.tokenizer is GPT-2's own tokenizer");
  }

  @Test
  void anExistingOutIsKeptUnlessForced() throws Exception {
    Path hf = tmp.resolve("gpt2");
    HfModels.hub(hf);
    Path out = tmp.resolve("run");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "mine");
    CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).assertOneErrorLine("already exists");
    assertTrue(Files.exists(out.resolve("notes.txt")));
    CliRun forced = CliRun.of("import", "--hf", hf.toString(), "--out", out.toString(), "--force");
    assertEquals(0, forced.exit(), forced.err());
    assertFalse(Files.exists(out.resolve("notes.txt")));
    assertTrue(Files.exists(out.resolve("step-000000/meta.json")));
  }

  @Test
  void tooLittleMemoryIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path hf = tmp.resolve("gpt2");
    HfModels.hub(hf);
    Path out = tmp.resolve("run");
    CliRun.of(() -> 50_000_000L, "import", "--hf", hf.toString(), "--out", out.toString())
        .assertOneErrorLine("MemAvailable in /proc/meminfo is 50 MB");
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void badFoldersAreOneLineAndWriteNothing() throws Exception {
    Path out = tmp.resolve("run");
    CliRun.of("import", "--hf", tmp.resolve("nowhere").toString(), "--out", out.toString())
        .assertOneErrorLine("nowhere");
    Path hf = tmp.resolve("gpt2");
    HfModels.hub(hf);
    Files.delete(hf.resolve("merges.txt"));
    CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).assertOneErrorLine("merges.txt");
    HfModels.tokenizer().save(hf);
    Path config = hf.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("GPT2LMHeadModel", "LlamaForCausalLM"));
    CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).assertOneErrorLine("config.json");
    Files.writeString(config, Files.readString(config).replace("LlamaForCausalLM", "GPT2LMHeadModel"));
    Path weights = hf.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(all, all.length / 2));
    CliRun.of("import", "--hf", hf.toString(), "--out", out.toString()).assertOneErrorLine("model.safetensors");
    CliRun.of("import", "--hf", hf.toString(), "--npz", "x.npz", "--out", out.toString()).assertOneErrorLine("--hf");
    assertFalse(Files.exists(out), "nothing written");
  }
}
