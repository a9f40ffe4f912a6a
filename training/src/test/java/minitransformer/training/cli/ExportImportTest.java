package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.TokenizerSpec;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.training.Python;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.optim.Optimizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** inspect, export and import through the command line; export then import gives identical logits. */
class ExportImportTest {
  private static final String CONFIG = """
      model:
        n_layer: 2
        n_head: 2
        n_embd: 16
        block_size: 8
        bias: true
        tie_embeddings: false
      data:
        path: corpus.txt
        tokenizer: char
      """;

  @TempDir Path tmp;
  private GPT gpt;
  private Path run;

  @BeforeEach
  void saveATinyModel() throws IOException {
    run = saveTinyModel(CONFIG, tmp.resolve("run"));
  }

  /** Saves a fresh tiny model (also kept in {@link #gpt}) as checkpoint step 3 of a run directory. */
  private Path saveTinyModel(String yaml, Path runDirectory) throws IOException {
    String text = "to be or not to be, that is the question";
    Files.writeString(tmp.resolve("corpus.txt"), text);
    Config config = ConfigLoader.fromYaml(yaml, "tiny.yaml", tmp, "tiny", List.of());
    Tokenizer tokenizer = Tokenizers.fit(TokenizerSpec.chars(), text);
    GPTConfig gptConfig = config.model().toGptConfig(tokenizer.vocabSize());
    gpt = GPT.create(gptConfig, 7);
    // Fresh biases and LayerNorm shifts are 0 and logits tiny: give every parameter a visible value.
    Nd4j.getRandom().setSeed(11);
    gpt.parameters().forEach((name, p) -> p.addi(Nd4j.randn(p.dataType(), p.shape()).muli(0.3)));
    Map<String, INDArray> moments = new LinkedHashMap<>();
    gpt.parameters().forEach((name, p) -> {
      moments.put("m/" + name, Nd4j.zerosLike(p));
      moments.put("v/" + name, Nd4j.zerosLike(p));
    });
    new CheckpointStore(runDirectory, 2, w -> {}).save(new TrainingState(3, 3 * 4 * 8, gpt.config(), config.toYaml(),
        Tokenizers.toJson(tokenizer), 1, 2, 3, 2.5, 2.75, 2.5, gpt.parameters(), moments, 3, Optimizer.Kind.ADAMW), true);
    return runDirectory;
  }

  /** The NumPy forward pass printed in checkpoints/README.md reproduces the logits (both layouts of the head). */
  @Test
  void readmeNumpyForwardPassReproducesTheLogits() throws Exception {
    Python.requireNumpy();
    Path readme = findUp(Path.of("checkpoints/README.md"));
    Assumptions.assumeTrue(readme != null, "checkpoints/README.md not found above the working directory");
    String doc = Files.readString(readme);
    int start = doc.indexOf("```python\n# reference forward pass");
    assertTrue(start >= 0, "the README has the reference forward pass");
    String code = doc.substring(start + "```python\n".length(), doc.indexOf("```", start + 3));
    String tiedSinusoidalNoBias = CONFIG.replace("bias: true", "bias: false")
        .replace("tie_embeddings: false", "tie_embeddings: true\n  positional_encoding: sinusoidal");
    for (String yaml : List.of(CONFIG, tiedSinusoidalNoBias)) {
      Path dir = saveTinyModel(yaml, Files.createTempDirectory(tmp, "run"));
      Path export = Files.createTempDirectory(tmp, "export");
      assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", export.resolve("model.npz").toString()).exit());
      INDArray ids = randomIds(2, 8, gpt.config().vocabSize());
      String script = code + "\nids = np.array(" + java.util.Arrays.deepToString(ids.toIntMatrix()) + ")\n"
          + "np.savetxt(__import__('sys').stdout, forward(ids).reshape(-1), fmt='%.9e')\n";
      Process p = new ProcessBuilder(Python.withNumpy(), "-c", script).directory(export.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), out);
      double[] numpy = out.lines().mapToDouble(Double::parseDouble).toArray();
      double[] java = gpt.logits(ids).dup('c').data().asDouble();
      assertEquals(java.length, numpy.length);
      for (int i = 0; i < java.length; i++) assertEquals(java[i], numpy[i], 1e-4, yaml + " logit " + i);
    }
  }

  private static Path findUp(Path relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(relative))) return dir.resolve(relative);
    }
    return null;
  }

  @Test
  void inspectShowsWhatTheCheckpointHolds() {
    CliRun r = CliRun.of("inspect", "--checkpoint", run.toString());
    assertEquals(0, r.exit(), r.err());
    long count = gpt.parameters().values().stream().mapToLong(INDArray::length).sum();
    for (String expected : List.of("step-000003", "step            3", "tokens seen     96", "last step's batch 2.7500 (one training batch)",
        "last eval val ",
        "best val 2.5000", "vocabulary      " + gpt.config().vocabSize() + " tokens (char tokenizer)",
        String.format("parameters      %,d in", count), "model.npz", "optimizer.npz", "meta.json", "n_layer: 2")) {
      assertTrue(r.out().contains(expected), "missing '" + expected + "' in:\n" + r.out());
    }
  }

  @Test
  void exportThenImportGivesIdenticalLogits() {
    Path npz = tmp.resolve("export/model.npz");
    CliRun exported = CliRun.of("export", "--checkpoint", run.toString(), "--out", npz.toString());
    assertEquals(0, exported.exit(), exported.err());
    assertTrue(Files.isRegularFile(tmp.resolve("export/model_config.json")));
    assertTrue(Files.isRegularFile(tmp.resolve("export/tokenizer.json")));

    Path imported = tmp.resolve("imported");
    CliRun r = CliRun.of("import", "--npz", npz.toString(), "--config", tmp.resolve("export/model_config.json").toString(),
        "--tokenizer", tmp.resolve("export/tokenizer.json").toString(), "--out", imported.toString());
    assertEquals(0, r.exit(), r.err());

    TrainingState state = CheckpointStore.load(imported, w -> {});
    GPT rebuilt = GPT.create(state.model(), 99); // other seed: weights must come from the file
    rebuilt.loadParameters(state.parameters());
    INDArray ids = randomIds(3, 8, gpt.config().vocabSize());
    INDArray expected = gpt.logits(ids);
    INDArray actual = rebuilt.logits(ids);
    assertArrayEquals(expected.shape(), actual.shape());
    assertArrayEquals(expected.data().asFloat(), actual.data().asFloat(), 0.0f, "logits differ");
    assertEquals(gpt.config(), rebuilt.config());
  }

  @Test
  void exportRefusesToReplaceEarlierFilesUnlessForced() throws IOException {
    Path npz = tmp.resolve("export/model.npz");
    assertEquals(0, CliRun.of("export", "--checkpoint", run.toString(), "--out", npz.toString()).exit());
    Path tokenizer = tmp.resolve("export/tokenizer.json");
    Files.writeString(tokenizer, "kept");
    Path other = tmp.resolve("export/other.npz");

    CliRun refused = CliRun.of("export", "--checkpoint", run.toString(), "--out", other.toString());
    assertEquals(2, refused.exit());
    Path modelConfig = tmp.resolve("export/model_config.json"); // the first existing file is named
    assertEquals("error: " + modelConfig + " already exists; export does not replace files (use --force)",
        refused.err().strip());
    assertEquals("kept", Files.readString(tokenizer), "an earlier file was touched");
    assertFalse(Files.exists(other), "nothing is written when export refuses");

    assertEquals(0, CliRun.of("export", "--checkpoint", run.toString(), "--out", other.toString(), "--force").exit());
    assertTrue(Files.readString(tokenizer).contains("\"kind\""), "--force replaces the files");
  }

  @Test
  void numpyReadsEveryArrayBitForBit() throws Exception {
    Python.requireNumpy();
    Path npz = tmp.resolve("model.npz");
    assertEquals(0, CliRun.of("export", "--checkpoint", run.toString(), "--out", npz.toString()).exit());
    String script = "import numpy, hashlib, sys\n"
        + "z = numpy.load(sys.argv[1])\n"
        + "for k in z.files:\n"
        + "    a = z[k]\n"
        + "    print(k, a.dtype, 'x'.join(map(str, a.shape)), hashlib.sha256(a.astype('<f4').tobytes()).hexdigest())\n";
    Process p = new ProcessBuilder(Python.withNumpy(), "-c", script, npz.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);

    StringBuilder expected = new StringBuilder();
    for (Map.Entry<String, INDArray> e : gpt.parameters().entrySet()) {
      INDArray a = e.getValue();
      expected.append(e.getKey().replace('/', '.')).append(" float32 ")
          .append(String.join("x", java.util.Arrays.stream(a.shape()).mapToObj(Long::toString).toList()))
          .append(' ').append(sha256LittleEndian(a)).append('\n');
    }
    assertEquals(expected.toString(), out);
  }

  @Test
  void importRejectsAWrongShapeWithOneLine() throws IOException {
    Path npz = tmp.resolve("export/model.npz");
    assertEquals(0, CliRun.of("export", "--checkpoint", run.toString(), "--out", npz.toString()).exit());
    Path config = tmp.resolve("export/model_config.json");
    Files.writeString(config, Files.readString(config).replace("\"n_embd\" : 16", "\"n_embd\" : 32"));

    CliRun r = CliRun.of("import", "--npz", npz.toString(), "--config", config.toString(), "--tokenizer",
        tmp.resolve("export/tokenizer.json").toString(), "--out", tmp.resolve("bad").toString());

    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("error: " + npz), r.err());
    assertTrue(r.err().contains("shape"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(Files.exists(tmp.resolve("bad/step-000000")));
  }

  @Test
  void importOfTheWrongFileAsTokenizerNamesIt() {
    Path npz = tmp.resolve("export/model.npz");
    assertEquals(0, CliRun.of("export", "--checkpoint", run.toString(), "--out", npz.toString()).exit());
    Path config = tmp.resolve("export/model_config.json");

    CliRun r = CliRun.of("import", "--npz", npz.toString(), "--config", config.toString(), "--tokenizer",
        config.toString(), "--out", tmp.resolve("bad").toString()); // model_config.json given twice

    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("error: " + config + ": "), r.err());
    assertTrue(r.err().contains("minitransformer-tokenizer"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(Files.exists(tmp.resolve("bad/step-000000")));
  }

  @Test
  void inspectOfADamagedCheckpointIsOneErrorLine() throws IOException {
    Path model = run.resolve("step-000003/model.npz");
    byte[] bytes = Files.readAllBytes(model);
    bytes[200] ^= 1;
    Files.write(model, bytes);
    CliRun r = CliRun.of("inspect", "--checkpoint", run.toString());
    assertEquals(2, r.exit());
    assertEquals("error: " + model + ": checksum mismatch", r.err().strip().replaceAll(" \\(SHA-256.*", ""));
  }

  private static INDArray randomIds(int b, int t, int vocab) {
    Random random = new Random(5);
    int[] flat = new int[b * t];
    for (int i = 0; i < flat.length; i++) flat[i] = random.nextInt(vocab);
    return GPT.idsArray(flat, b, t);
  }

  private static String sha256LittleEndian(INDArray a) throws Exception {
    float[] values = a.dup('c').data().asFloat();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
  }

}
