package minitransformer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.Names;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigException;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.ModelSection;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.StepMetrics;
import minitransformer.training.view.QuietView;
import minitransformer.training.view.TrainingView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * training.init_from (train --init-from): a new run takes the architecture, weights and tokenizer of a
 * checkpoint and the rest of its config; model keys that disagree are refused in one line; a smaller
 * block_size crops the position table without changing any logit of a sequence that fits; and the
 * fine-tune resumes exactly, like any run.
 */
class InitFromTest {
  /** The fine-tune's config: no model section, another corpus, its own schedule. */
  private static final String TUNE = """
      %s
      data:
        path: tune.txt
      training:
        init_from: runs/base
        max_iters: 6
        batch_size: 4
        learning_rate: 3.0e-3
        lr_schedule: constant
        warmup_iters: 0
        eval_interval: 3
        eval_iters: 2
        log_interval: 1
        checkpoint_interval: 3
      run:
        out_dir: runs
        prompt: "ab"
        sample_tokens: 4
      """;

  @TempDir Path dir;
  private Path base;

  /** A base run of 3 steps (TinyRuns: 1 layer, 2 heads, width 16, block 8, characters), dropout on. */
  @BeforeEach
  void trainBase() throws IOException {
    Config config = TinyRuns.config(dir, "run.name=base", "training.max_iters=3", "model.dropout=0.1");
    base = train(TrainingRun.start(config), 0);
    Files.writeString(dir.resolve("tune.txt"), TinyRuns.corpusText().replace('a', 'c'));
  }

  private Path tuneConfig(String modelSection) throws IOException {
    Path file = dir.resolve("tune.yaml");
    Files.writeString(file, TUNE.formatted(modelSection));
    return file;
  }

  private Config load(String modelSection, String... overrides) throws IOException {
    return ConfigLoader.load(tuneConfig(modelSection), List.of(overrides), InitFrom.CHECKPOINTS);
  }

  @Test
  void aNewRunStartsFromTheCheckpointsWeightsArchitectureAndTokenizer() throws IOException {
    TrainingState saved = CheckpointStore.load(base, w -> {});
    Config config = load("model:\n  n_layer: 1\n  n_embd: 16"); // keys that agree are fine
    assertEquals(ModelSection.of(saved.model()), config.model(), "every model key, dropout 0.1 included");
    assertEquals(dir.resolve("runs/base").toAbsolutePath(), config.training().initFrom());
    assertEquals("char", config.data().tokenizer());
    TrainingRun run = TrainingRun.start(config);
    assertTrue(run.fresh());
    assertEquals(0, run.state().step());
    assertEquals(dir.resolve("runs/tune"), run.runDirectory());
    assertEquals(saved.tokenizerJson(), Tokenizers.toJson(run.corpus().tokenizer()));
    assertSame(saved.parameters(), run.model().parameters());
    TrainingState start = run.snapshot();
    assertEquals(0, start.optimizerStep(), "a fresh optimizer");
    start.optimizerState().forEach((name, m) -> assertEquals(0.0, m.amaxNumber().doubleValue(), name));
    // the resolved config records where the run started from, and reads back to the same config
    Path written = run.writeResolvedConfig();
    assertTrue(Files.readString(written).contains("init_from: " + base.toAbsolutePath()), Files.readString(written));
    assertEquals(config, ConfigLoader.load(written, List.of(), InitFrom.CHECKPOINTS));
  }

  @Test
  void modelKeysThatDisagreeWithTheCheckpointAreRefusedInOneLine() throws IOException {
    Path file = tuneConfig("model:\n  n_layer: 1\n  n_embd: 32\n  n_head: 2");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(file, List.of(), InitFrom.CHECKPOINTS));
    assertEquals(file + ": model.n_embd 32 disagrees with the checkpoint's (" + base.resolve("step-000003")
        + ") 16: with training.init_from the architecture and tokenizer come from the checkpoint (remove the key,"
        + " or make it agree)", e.getMessage());
    ConfigException set = assertThrows(ConfigException.class, () -> load("", "model.bias=true"));
    assertTrue(set.getMessage().startsWith("--set model.bias=true: model.bias true disagrees with the checkpoint's"),
        set.getMessage());
    ConfigException larger = assertThrows(ConfigException.class, () -> load("model:\n  block_size: 9"));
    assertTrue(larger.getMessage().endsWith("model.block_size 9 is larger than the checkpoint's ("
        + base.resolve("step-000003") + ") 8: a fine-tune may crop the position table, not grow it"),
        larger.getMessage());
    ConfigException tokenizer = assertThrows(ConfigException.class, () -> load("", "data.tokenizer=word"));
    assertTrue(tokenizer.getMessage().contains("data.tokenizer \"word\" disagrees with the checkpoint's"),
        tokenizer.getMessage());
    ConfigException fitting = assertThrows(ConfigException.class, () -> load("", "data.max_vocab=50"));
    assertTrue(fitting.getMessage().contains("data.max_vocab 50 has nothing to fit"), fitting.getMessage());
    ConfigException missing = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(tuneConfig(""), List.of()));
    assertTrue(missing.getMessage().contains("training.init_from is read only where a run starts"),
        missing.getMessage());
    for (ConfigException each : List.of(e, set, larger, tokenizer, fitting, missing)) {
      assertFalse(each.getMessage().contains("\n"), each.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("runs/tune")), "nothing written");
  }

  /** nanoGPT's crop_block_size: the logits of a sequence that fits the smaller block are unchanged. */
  @Test
  void aSmallerBlockSizeCropsThePositionTableAndKeepsTheLogits() throws IOException {
    TrainedModel original = TrainedModel.load(base, w -> {});
    TrainingRun cropped = TrainingRun.start(load("model:\n  block_size: 5\n  dropout: 0.0"));
    assertEquals(5, cropped.model().config().blockSize());
    assertEquals(0.0, cropped.model().config().dropout(), "dropout is the config's");
    assertArrayEquals(new long[] {5, 16}, cropped.model().parameters().get(Names.WPE).shape());
    int[] ids = original.tokenizer().encode("abca");
    INDArray before = original.gpt().logits(GPT.idsArray(ids, 1, ids.length));
    INDArray after = cropped.model().logits(GPT.idsArray(ids, 1, ids.length));
    assertArrayEquals(before.castTo(DataType.DOUBLE).data().asDouble(), after.castTo(DataType.DOUBLE).data().asDouble(),
        1e-6);
    assertEquals(original.gpt().parameters().get(Names.WPE).getRow(4), cropped.model().parameters().get(Names.WPE).getRow(4));
  }

  /** Init-from, 3 steps, stop, resume, 3 more == 6 straight: losses, weights, moments, random states. */
  @Test
  void aFineTuneResumesExactly() throws IOException {
    Path straight = train(TrainingRun.start(load("", "run.name=straight")), 0);
    Path split = train(TrainingRun.start(load("", "run.name=split")), 3);
    TrainingRun resumed = TrainingRun.resume(split, List.of(), w -> {});
    assertEquals(3, resumed.state().step());
    assertEquals(base.toAbsolutePath(), resumed.config().training().initFrom(), "kept on resume");
    try (MetricsLog log = MetricsLog.continueAfter(split, 3);
        TrainingView view = new QuietView(new PrintWriter(Writer.nullWriter()))) {
      new Trainer(resumed, new CheckpointStore(split, 3, w -> {}), log, view).train();
    }
    assertEquals(losses(straight), losses(split));
    assertEquals(6, losses(straight).size());
    TrainingState a = CheckpointStore.load(straight, w -> {});
    TrainingState b = CheckpointStore.load(split, w -> {});
    assertEquals(6, b.step());
    assertSame(a.parameters(), b.parameters());
    assertSame(a.optimizerState(), b.optimizerState());
    assertEquals(a.optimizerStep(), b.optimizerStep());
    assertEquals(a.batchRngState(), b.batchRngState());
    assertEquals(a.dropoutRngState(), b.dropoutRngState());
    // training moved the weights away from the checkpoint's
    assertFalse(CheckpointStore.load(base, w -> {}).parameters().get(Names.WTE).equals(b.parameters().get(Names.WTE)));
    // where it started is not a loop setting: refused on resume
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainingRun.resume(split, List.of("training.init_from=" + straight), w -> {}));
    assertTrue(e.getMessage().contains("training.init_from cannot change on resume"), e.getMessage());
  }

  private static void assertSame(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, e) -> assertArrayEquals(e.dup('c').data().asFloat(), actual.get(name).dup('c').data().asFloat(),
        name + " bit for bit"));
  }

  /** Trains a fresh run to its end, or stops it (as Ctrl-C does) after stopAfter steps when positive. */
  static Path train(TrainingRun run, long stopAfter) {
    AtomicReference<Trainer> trainer = new AtomicReference<>();
    TrainingView stopper = new TrainingView() {
      @Override public void started(long s, long m, double e) {}
      @Override public void stepped(StepMetrics m) {
        if (m.iter() == stopAfter) trainer.get().requestStop();
      }
      @Override public void evaluated(Evaluation e) {}
      @Override public void note(String line) {}
      @Override public void close() {}
    };
    try (MetricsLog log = MetricsLog.create(run.runDirectory())) {
      trainer.set(new Trainer(run, new CheckpointStore(run.runDirectory(), 3, w -> {}), log, stopper));
      trainer.get().train();
    }
    return run.runDirectory();
  }

  private static List<String> losses(Path runDirectory) throws IOException {
    List<String> losses = new ArrayList<>();
    for (String line : Files.readAllLines(runDirectory.resolve(MetricsLog.FILE))) {
      if (line.contains("\"type\":\"step\"")) {
        losses.add(line.replaceAll(".*\"iter\":(\\d+).*\"loss\":([^,}]+).*", "$1:$2"));
      }
    }
    return losses;
  }
}
