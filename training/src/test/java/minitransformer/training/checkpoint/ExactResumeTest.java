package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import minitransformer.training.Trainer;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigException;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.MetricsLog;
import minitransformer.training.metrics.StepMetrics;
import minitransformer.training.optim.Optimizer;
import minitransformer.training.view.QuietView;
import minitransformer.training.view.TrainingView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * N steps straight == N/2 steps, stop (as Ctrl-C does: the loop saves and returns), a fresh GPT,
 * AdamW and Trainer from the checkpoint, and N/2 more: the same loss at every step, bit-identical
 * weights, moments and random states. Dropout is on, so its random state must resume too. The same
 * with Muon, whose momentum buffers are in the checkpoint beside AdamW's moments of the rest.
 */
class ExactResumeTest {
  static final String TINY = """
      model:
        n_layer: 2
        n_head: 2
        n_embd: 16
        block_size: 8
        dropout: 0.1
        bias: true
      data:
        path: corpus.txt
        tokenizer: char
      training:
        max_iters: 12
        batch_size: 4
        learning_rate: 1.0e-2
        warmup_iters: 3
        eval_interval: 4
        eval_iters: 2
        log_interval: 1
        checkpoint_interval: 4
        keep_last: 2
        workers: %d
      """;

  static final String TEXT = "First Citizen: Before we proceed any further, hear me speak.\n"
      + "All: Speak, speak.\nFirst Citizen: You are all resolved rather to die than to famish?\n"
      + "All: Resolved. resolved.\n";

  @TempDir Path tmp;

  /** workers 2: each step's two slices run side by side on two graphs (training/step/Replicas). */
  @ParameterizedTest(name = "workers {0}")
  @ValueSource(ints = {1, 2})
  void stoppingAndResumingGivesTheSameLossesWeightsAndMoments(int workers) throws IOException {
    TrainingState state = assertExactResume(workers);
    assertEquals(Optimizer.Kind.ADAMW, state.optimizer());
  }

  @ParameterizedTest(name = "workers {0}")
  @ValueSource(ints = {1, 2})
  void muonResumesExactlyToo(int workers) throws IOException {
    TrainingState state = assertExactResume(workers, "training.optimizer=muon");
    assertEquals(Optimizer.Kind.MUON, state.optimizer());
    assertTrue(state.optimizerState().containsKey("momentum/h1/mlp/W_fc"), state.optimizerState().keySet().toString());
    assertTrue(state.optimizerState().containsKey("m/wte"), state.optimizerState().keySet().toString());
    assertTrue(!state.optimizerState().containsKey("m/h0/attn/W_Q"), "W_Q is Muon's, not AdamW's");
  }

  /** A checkpoint resumes only with the optimizer that wrote it; any other is refused in one line. */
  @Test
  void resumingWithAnotherOptimizerIsRefused() throws IOException {
    Files.writeString(tmp.resolve("corpus.txt"), TEXT);
    Path adamw = train(config("adamw", 1), 2);
    Path muon = train(config("muon", 1, "training.optimizer=muon"), 2);
    ConfigException toMuon = assertThrows(ConfigException.class,
        () -> TrainingRun.resume(adamw, List.of("training.optimizer=muon"), w -> {}));
    assertTrue(toMuon.getMessage().startsWith("training.optimizer muon cannot resume "), toMuon.getMessage());
    assertTrue(toMuon.getMessage().endsWith("it holds the state of adamw (resume with training.optimizer=adamw,"
        + " or start a new run)"), toMuon.getMessage());
    ConfigException toAdamW = assertThrows(ConfigException.class,
        () -> TrainingRun.resume(muon, List.of("training.optimizer=adamw"), w -> {}));
    assertTrue(toAdamW.getMessage().contains("it holds the state of muon"), toAdamW.getMessage());
    assertTrue(!toAdamW.getMessage().contains("\n"));
    // the loop knobs of Muon may change, as every training.* key
    assertEquals(2, TrainingRun.resume(muon, List.of("training.muon_learning_rate=0.01"), w -> {}).state().step());
  }

  /** Trains 12 steps straight and 6 + 6 with a stop and resume; returns the straight run's last checkpoint. */
  private TrainingState assertExactResume(int workers, String... overrides) throws IOException {
    Files.writeString(tmp.resolve("corpus.txt"), TEXT);

    Path straight = train(config("straight", workers, overrides), 0);
    Path split = train(config("split", workers, overrides), 6); // stops after step 6 as Ctrl-C would
    assertEquals(6, CheckpointStore.load(split, w -> {}).step());

    List<String> warnings = new ArrayList<>();
    TrainingRun resumed = TrainingRun.resume(split, List.of(), warnings::add);
    assertEquals(6, resumed.state().step());
    try (MetricsLog log = MetricsLog.continueAfter(split, 6); TrainingView view = quiet()) {
      Trainer.Result r = new Trainer(resumed, new CheckpointStore(split, 2, warnings::add), log, view).train();
      assertEquals(Trainer.Outcome.COMPLETED, r.outcome());
    }

    assertEquals(stepLosses(straight), stepLosses(split));
    assertEquals(12, stepLosses(straight).size());
    TrainingState a = CheckpointStore.load(straight, w -> {});
    TrainingState b = CheckpointStore.load(split, w -> {});
    assertEquals(12, a.step());
    Checkpoints.assertSameArrays(a.parameters(), b.parameters());
    Checkpoints.assertSameArrays(a.optimizerState(), b.optimizerState());
    assertEquals(a.optimizerStep(), b.optimizerStep());
    assertEquals(a.batchRngState(), b.batchRngState());
    assertEquals(a.evalRngState(), b.evalRngState());
    assertEquals(a.dropoutRngState(), b.dropoutRngState());
    assertEquals(a.tokensSeen(), b.tokensSeen());
    assertEquals(Double.doubleToLongBits(a.lastValLoss()), Double.doubleToLongBits(b.lastValLoss()));
    assertEquals(a.optimizer(), b.optimizer());
    assertEquals(List.of(), warnings);
    return a;
  }

  private Config config(String name, int workers, String... overrides) {
    List<String> all = new ArrayList<>(List.of("run.out_dir=" + tmp.resolve("runs")));
    all.addAll(List.of(overrides));
    return ConfigLoader.fromYaml(TINY.formatted(workers), "tiny.yaml", tmp, name, all);
  }

  /** Trains a fresh run; stops after {@code stopAfter} steps when positive. Returns the run directory. */
  static Path train(Config config, long stopAfter) {
    TrainingRun run = TrainingRun.start(config);
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
      trainer.set(new Trainer(run, new CheckpointStore(run.runDirectory(), 2, w -> {}), log, stopper));
      Trainer.Result r = trainer.get().train();
      assertEquals(stopAfter > 0 ? Trainer.Outcome.INTERRUPTED : Trainer.Outcome.COMPLETED, r.outcome());
    }
    return run.runDirectory();
  }

  /** The "loss" of every step line in metrics.jsonl, as written. */
  static List<String> stepLosses(Path runDirectory) throws IOException {
    List<String> losses = new ArrayList<>();
    for (String line : Files.readAllLines(runDirectory.resolve(MetricsLog.FILE))) {
      if (!line.contains("\"type\":\"step\"")) continue;
      var m = java.util.regex.Pattern.compile("\"iter\":(\\d+).*\"loss\":([^,}]+)").matcher(line);
      assertTrue(m.find(), line);
      losses.add(m.group(1) + ":" + m.group(2));
    }
    return losses;
  }

  private static TrainingView quiet() {
    return new QuietView(new PrintWriter(Writer.nullWriter()));
  }
}
