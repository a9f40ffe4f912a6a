package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import minitransformer.framework.GPT;
import minitransformer.training.TinyRuns;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.hf.Gpt2Checkpoint;
import minitransformer.training.hf.HfModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** export --format hf: read back by the NumPy reference and by import --hf; other architectures refused. */
class ExportHfTest {
  @TempDir Path tmp;

  @Test
  void aTrainedGpt2ArchitectureModelGivesTheReferenceItsLogitsAndItsBitsBack() throws Exception {
    Path run = TinyTrainedModel.run(); // bias: true, tie_embeddings: true, word tokenizer
    Path out = tmp.resolve("hf");
    CliRun r = CliRun.of("export", "--checkpoint", run.toString(), "--format", "hf", "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("exported "), r.out());
    assertTrue(r.err().startsWith("note: the tokenizer (kind word) has no Hugging Face GPT-2 form"), r.err());
    assertEquals(List.of("config.json", "model.safetensors"), list(out));

    TrainingState state = CheckpointStore.load(CheckpointStore.resolve(run, w -> {}), w -> {});
    GPT gpt = GPT.create(state.model(), 0);
    gpt.loadParameters(state.parameters());
    int[][] ids = {{1, 5, 3, 9, 2, 7, 4}, {0, 2, 4, 6, 8, 10, 12}};
    double[][][] reference = HfModels.referenceLogits(out, ids);
    INDArray logits = gpt.logits(GPT.idsArray(new int[] {1, 5, 3, 9, 2, 7, 4, 0, 2, 4, 6, 8, 10, 12}, 2, 7))
        .castTo(DataType.DOUBLE);
    double worst = 0;
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 7; t++) {
        for (int v = 0; v < reference[b][t].length; v++) {
          worst = Math.max(worst, Math.abs(logits.getDouble(b, t, v) - reference[b][t][v]));
        }
      }
    }
    System.out.printf("export --format hf parity: max |logit difference| %.3g%n", worst);
    assertTrue(worst < 1e-5, "max |logit difference| " + worst);
    assertBitIdentical(state.parameters(), Gpt2Checkpoint.read(out).parameters());
  }

  @Test
  void importOfAnExportEqualsTheOriginalBitForBit() throws Exception {
    Path hf = tmp.resolve("gpt2");
    HfModels.hub(hf);
    Path first = tmp.resolve("checkpoints/first");
    assertEquals(0, CliRun.of("import", "--hf", hf.toString(), "--out", first.toString()).exit());
    Path exported = tmp.resolve("exported");
    CliRun r = CliRun.of("export", "--checkpoint", first.toString(), "--format", "hf", "--out", exported.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertEquals(List.of("config.json", "merges.txt", "model.safetensors", "vocab.json"), list(exported));
    Path second = tmp.resolve("checkpoints/second");
    CliRun back = CliRun.of("import", "--hf", exported.toString(), "--out", second.toString());
    assertEquals(0, back.exit(), back.err());
    TrainingState a = CheckpointStore.load(CheckpointStore.resolve(first, w -> {}), w -> {});
    TrainingState b = CheckpointStore.load(CheckpointStore.resolve(second, w -> {}), w -> {});
    assertEquals(a.model(), b.model());
    assertEquals(a.tokenizerJson(), b.tokenizerJson());
    assertBitIdentical(a.parameters(), b.parameters());

    CliRun.of("export", "--checkpoint", first.toString(), "--format", "hf", "--out", exported.toString())
        .assertOneErrorLine("already exists");
    CliRun forced = CliRun.of("export", "--checkpoint", first.toString(), "--format", "hf", "--out",
        exported.toString(), "--force");
    assertEquals(0, forced.exit(), forced.err());
    assertEquals(List.of("config.json", "merges.txt", "model.safetensors", "vocab.json"), list(exported));
  }

  @Test
  void anotherArchitectureIsRefusedInOneLineBeforeAnythingIsWritten() throws Exception {
    Path config = TinyRuns.write(tmp, ""); // bias false, untied: not GPT-2's architecture
    assertEquals(0, CliRun.of("train", "--quiet", "--config", config.toString()).exit());
    Path out = tmp.resolve("hf");
    CliRun.of("export", "--checkpoint", tmp.resolve("runs/tiny").toString(), "--format", "hf", "--out",
        out.toString()).assertOneErrorLine("only a model of GPT-2's architecture");
    assertFalse(Files.exists(out));
    try (Stream<Path> s = Files.list(tmp)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temporary folder left");
    }
    CliRun.of("export", "--checkpoint", tmp.resolve("runs/tiny").toString(), "--format", "onnx", "--out",
        out.toString()).assertOneErrorLine("--format must be npz or hf");
  }

  private static List<String> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertBitIdentical(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, p) -> {
      float[] want = p.castTo(DataType.FLOAT).dup('c').data().asFloat();
      float[] got = actual.get(name).castTo(DataType.FLOAT).dup('c').data().asFloat();
      assertEquals(want.length, got.length, name);
      for (int i = 0; i < want.length; i++) {
        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), name + "[" + i + "]");
      }
    });
  }

}
