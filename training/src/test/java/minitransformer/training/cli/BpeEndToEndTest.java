package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitransformer.datasets.BpeTokenizer;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.datasets.corpus.ContextCorpusGenerator;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.checkpoint.CheckpointStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny BPE model through every command: train, sample, predict, attention, similarity, export, import. */
class BpeEndToEndTest {
  private static final String CONFIG = """
      model:
        n_layer: 2
        n_head: 2
        n_embd: 16
        block_size: 24
      data:
        path: corpus.txt
        tokenizer: bpe
        vocab_size: 300
        train_fraction: 0.9
      training:
        max_iters: 12
        batch_size: 4
        warmup_iters: 2
        eval_interval: 12
        eval_iters: 2
        checkpoint_interval: 12
        keep_last: 1
      run:
        name: bpe
        out_dir: runs
        prompts: ["the river bank"]
        sample_tokens: 8
      """;
  private static final String PROMPT = "Café – the river bank";

  @TempDir static Path dir;
  private static Path run;
  private static Tokenizer tokenizer;

  @BeforeAll
  static void train() throws Exception {
    String text = ContextCorpusGenerator.generate().substring(0, 30_000) + "Café – naïve “quotes” 😀 日本語\n";
    Files.writeString(dir.resolve("corpus.txt"), text, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("bpe.yaml"), CONFIG, StandardCharsets.UTF_8);
    CliRun r = CliRun.of("train", "--quiet", "--config", dir.resolve("bpe.yaml").toString());
    assertEquals(0, r.exit(), r.err());
    run = dir.resolve("runs").resolve("bpe");
    tokenizer = Tokenizers.fromJson(CheckpointStore.load(run).tokenizerJson());
  }

  @Test
  void trainsWithTheLearnedTokenizerSavedInTheCheckpoint() {
    assertTrue(tokenizer instanceof BpeTokenizer, tokenizer.toString());
    assertEquals(300, tokenizer.vocabSize());
  }

  @Test
  void metricsReportBitsPerByteOfTheTextEachSplitCovers() {
    Corpus corpus = Corpus.load(dir.resolve("corpus.txt"), tokenizer, 0.9, 24);
    double valTokensPerByte = corpus.validationSize() / (double) corpus.validationBytes();
    assertTrue(valTokensPerByte < 0.7, "BPE tokens cover more than a byte each: " + valTokensPerByte);
    List<JsonNode> evals = MetricsLog.read(run.resolve(MetricsLog.FILE)).stream()
        .filter(m -> m.path("type").asText().equals("eval")).toList();
    assertEquals(2, evals.size());
    for (JsonNode e : evals) {
      assertEquals(e.path("val_loss").asDouble() / Math.log(2) * valTokensPerByte, e.path("val_bpb").asDouble(), 1e-9);
    }
  }

  @Test
  void sampleStreamsWholeCharacters() {
    CliRun r = CliRun.of("sample", "--checkpoint", run.toString(), "--prompt", PROMPT, "--tokens", "12",
        "--temperature", "0");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith(PROMPT), r.out());
  }

  @Test
  void predictJsonGivesEachTokensTextAndBytes() throws Exception {
    CliRun r = CliRun.of("predict", "--checkpoint", run.toString(), "--prompt", PROMPT, "--top", "20", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode predictions = new ObjectMapper().readTree(r.out()).get("predictions");
    assertEquals(20, predictions.size());
    for (JsonNode p : predictions) {
      int id = p.get("id").asInt();
      assertEquals(tokenizer.token(id), p.get("token").asText());
      byte[] expected = tokenizer.tokenBytes(id);
      byte[] bytes = new byte[p.get("bytes").size()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) p.get("bytes").get(i).asInt();
      }
      assertArrayEquals(expected, bytes, "bytes of token " + id);
    }
  }

  @Test
  void attentionShowsTheLeadingSpaceAndPartialBytesLegibly() throws Exception {
    CliRun terminal = CliRun.of("attention", "--checkpoint", run.toString(), "--prompt", PROMPT);
    assertEquals(0, terminal.exit(), terminal.err());
    assertTrue(terminal.out().contains("␣"), terminal.out()); // a visible leading space
    assertTrue(terminal.out().contains("<0xC3>"), terminal.out()); // the first byte of é, a token of its own
    for (String ext : new String[] {"csv", "html", "png"}) {
      Path out = dir.resolve("attention." + ext);
      CliRun r = CliRun.of("attention", "--checkpoint", run.toString(), "--prompt", PROMPT, "--out", out.toString());
      assertEquals(0, r.exit(), r.err());
      assertTrue(Files.size(out) > 0, ext);
    }
    String csv = Files.readString(dir.resolve("attention.csv"));
    // CSV keeps each token's exact text (a leading space quoted, as RFC 4180 allows), partial bytes as <0xC3>
    assertTrue(csv.contains(",\" ") && csv.contains("<0xC3>"), csv.substring(0, Math.min(600, csv.length())));
    CliRun explain = CliRun.of("attention", "--checkpoint", run.toString(), "--prompt", PROMPT, "--explain");
    assertEquals(0, explain.exit(), explain.err());
  }

  @Test
  void similarityFindsWordsWithTheirLeadingSpace() {
    CliRun r = CliRun.of("similarity", "--checkpoint", run.toString(), "--nearest", "the", "--top", "3");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("nearest to \"␣the\""), r.out());
    CliRun.of("similarity", "--checkpoint", run.toString(), "--nearest", "zyzzyva")
        .assertOneErrorLine("\"zyzzyva\" is not one token of this model's BPE vocabulary");
  }

  @Test
  void exportThenImportKeepsTheTokenizerAndThePredictions() throws Exception {
    Path npz = dir.resolve("export").resolve("bpe.npz");
    Files.createDirectories(npz.getParent());
    CliRun export = CliRun.of("export", "--checkpoint", run.toString(), "--out", npz.toString());
    assertEquals(0, export.exit(), export.err());
    Path exportedTokenizer = npz.getParent().resolve("tokenizer.json");
    assertEquals(Tokenizers.toJson(tokenizer), Files.readString(exportedTokenizer));
    Path imported = dir.resolve("imported");
    CliRun importRun = CliRun.of("import", "--npz", npz.toString(), "--config",
        npz.getParent().resolve("model_config.json").toString(), "--tokenizer", exportedTokenizer.toString(),
        "--out", imported.toString());
    assertEquals(0, importRun.exit(), importRun.err());
    CliRun before = CliRun.of("predict", "--checkpoint", run.toString(), "--prompt", PROMPT, "--json");
    CliRun after = CliRun.of("predict", "--checkpoint", imported.toString(), "--prompt", PROMPT, "--json");
    assertEquals(0, after.exit(), after.err());
    ObjectMapper json = new ObjectMapper();
    assertEquals(json.readTree(before.out()).get("predictions"), json.readTree(after.out()).get("predictions"));
  }
}
