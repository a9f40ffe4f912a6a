package minitransformer.training.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.optim.LearningRateSchedule;
import minitransformer.training.optim.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  private static final String MINIMAL =
      """
      model:
        n_layer: 2
        n_head: 2
        n_embd: 16
        block_size: 8
      data:
        path: corpus.txt
        tokenizer: word
      training:
        max_iters: 300
        learning_rate: 3e-4
      """;

  private Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  private ConfigException failure(String yaml, String... overrides) throws IOException {
    Path file = write("bad.yaml", yaml);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of(overrides)));
  }

  @Test
  void parsesValuesAndFillsDefaults() throws IOException {
    Config config = ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of());
    assertEquals(2, config.model().nLayer());
    assertEquals(16, config.model().nEmbd());
    assertEquals(PositionalEncoding.LEARNED, config.model().positionalEncoding());
    assertEquals("word", config.data().tokenizer());
    assertEquals(0.9, config.data().trainFraction(), 0);
    assertEquals(300, config.training().maxIters());
    assertEquals(3e-4, config.training().learningRate(), 0);
    assertEquals(LearningRateSchedule.Shape.COSINE, config.training().lrSchedule());
    assertEquals(300, config.training().lrDecayIters(), "lr_decay_iters defaults to max_iters");
    assertEquals("tiny", config.run().name(), "run.name defaults to the file name");
    assertEquals(Path.of("checkpoints").toAbsolutePath(), config.run().outDir());
  }

  @Test
  void blockOptionsParseWithTheirDefaults() throws IOException {
    var gpt2 = ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of()).model().toGptConfig(11);
    assertTrue(gpt2.hasGpt2Blocks(), gpt2.toString());
    assertEquals(64, gpt2.mlpHidden());
    assertEquals(2, gpt2.nKvHead());
    var llama = ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of("model.positional_encoding=rope",
        "model.rope_theta=500", "model.norm=rmsnorm", "model.norm_eps=1e-6", "model.mlp=swiglu",
        "model.n_kv_head=1", "model.qk_norm=true", "model.logit_softcap=15")).model().toGptConfig(11);
    assertEquals(PositionalEncoding.ROPE, llama.positionalEncoding());
    assertEquals(500.0, llama.ropeTheta());
    assertEquals(minitransformer.framework.NormKind.RMSNORM, llama.norm());
    assertEquals(1e-6, llama.normEps());
    assertEquals(minitransformer.framework.MlpKind.SWIGLU, llama.mlp());
    assertEquals(64, llama.mlpHidden()); // 8·16/3 = 42.7, rounded up to a multiple of 64
    assertEquals(1, llama.nKvHead());
    assertTrue(llama.qkNorm());
    assertEquals(15.0, llama.logitSoftcap());
    var relu2 = ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of("model.mlp=relu2", "model.mlp_hidden=40"))
        .model().toGptConfig(11);
    assertEquals(40, relu2.mlpHidden());
  }

  @Test
  void nonsenseBlockOptionsAreRefusedInOneLineNamingKeyAndValue() throws IOException {
    assertTrue(failure(MINIMAL, "model.n_kv_head=3").getMessage()
        .endsWith("model.n_kv_head must divide model.n_head (2), got 3"), failure(MINIMAL, "model.n_kv_head=3").getMessage());
    assertTrue(failure(MINIMAL, "model.n_kv_head=0").getMessage().contains("model.n_kv_head must be >= 1, got 0"));
    assertTrue(failure(MINIMAL, "model.norm=batchnorm").getMessage().contains("model.norm"));
    assertTrue(failure(MINIMAL, "model.norm=batchnorm").getMessage().contains("batchnorm"));
    assertTrue(failure(MINIMAL, "model.mlp=geglu").getMessage().contains("geglu"));
    assertTrue(failure(MINIMAL, "model.positional_encoding=alibi").getMessage().contains("alibi"));
    assertTrue(failure(MINIMAL, "model.norm_eps=0").getMessage().contains("model.norm_eps must be in (0.0, 1.0), got 0"));
    assertTrue(failure(MINIMAL, "model.logit_softcap=-1").getMessage().contains("model.logit_softcap"));
    assertTrue(failure(MINIMAL, "model.rope_theta=1").getMessage().contains("model.rope_theta"));
    assertTrue(failure(MINIMAL, "model.mlp_hidden=0").getMessage().contains("model.mlp_hidden must be >= 1, got 0"));
    String odd = failure(MINIMAL, "model.positional_encoding=rope", "model.n_embd=9", "model.n_head=3").getMessage();
    assertTrue(odd.contains("even head size"), odd);
    for (String bad : List.of("model.n_kv_head=3", "model.norm=batchnorm", "model.mlp_hidden=0")) {
      assertFalse(failure(MINIMAL, bad).getMessage().contains("\n"), bad);
    }
  }

  @Test
  void relativePathsResolveAgainstTheConfigDirectory() throws IOException {
    Path file =
        write(
            "configs/nested/x.yaml",
            "data:\n  path: ../../shared/data.txt\nrun:\n  out_dir: ../out\n");
    Config config = ConfigLoader.load(file, List.of());
    assertEquals(dir.resolve("shared/data.txt").toAbsolutePath(), config.data().path());
    assertEquals(dir.resolve("configs/out").toAbsolutePath(), config.run().outDir());
    assertEquals(dir.resolve("configs/out/x").toAbsolutePath(), config.runDirectory());
  }

  @Test
  void setOverridesAreTypedAgainstTheSchema() throws IOException {
    Config config =
        ConfigLoader.load(
            write("tiny.yaml", MINIMAL),
            List.of(
                "model.n_layer=6",
                "training.learning_rate=1e-3",
                "model.bias=true",
                "run.prompt=the bank: of the",
                "run.prompts=[apple, \"the mole\"]",
                "model.positional_encoding=sinusoidal",
                "training.seed=12345678901"));
    assertEquals(6, config.model().nLayer());
    assertEquals(1e-3, config.training().learningRate(), 0);
    assertTrue(config.model().bias());
    assertEquals("the bank: of the", config.run().prompt());
    assertEquals(List.of("apple", "the mole"), config.run().prompts());
    assertEquals(PositionalEncoding.SINUSOIDAL, config.model().positionalEncoding());
    assertEquals(12345678901L, config.training().seed());
  }

  @Test
  void setPathResolvesAgainstTheWorkingDirectory() throws IOException {
    Config config = ConfigLoader.load(write("sub/tiny.yaml", MINIMAL), List.of("data.path=other.txt"));
    assertEquals(Path.of("other.txt").toAbsolutePath(), config.data().path());
  }

  @Test
  void unknownKeyNamesFileAndKeyAndSuggests() throws IOException {
    ConfigException e = failure(MINIMAL + "  learning_rat: 0.1\n");
    assertEquals(
        dir.resolve("bad.yaml")
            + ": training.learning_rat is not a known key (did you mean training.learning_rate?)",
        e.getMessage());
  }

  @Test
  void keyInTheWrongSectionSuggestsTheRightOne() throws IOException {
    ConfigException e = failure("model:\n  learning_rate: 0.1\n");
    assertTrue(e.getMessage().endsWith("model.learning_rate is not a known key (did you mean training.learning_rate?)"),
        e.getMessage());
  }

  @Test
  void unknownSectionIsAnError() throws IOException {
    ConfigException e = failure("trainig:\n  max_iters: 5\n");
    assertTrue(e.getMessage().contains("bad.yaml: trainig is not a known section (did you mean training?)"),
        e.getMessage());
  }

  @Test
  void wrongTypesNameKeyAndValue() throws IOException {
    assertTrue(
        failure(MINIMAL.replace("max_iters: 300", "max_iters: lots"))
            .getMessage()
            .endsWith("bad.yaml: training.max_iters must be an integer, got \"lots\""));
    assertTrue(
        failure(MINIMAL.replace("max_iters: 300", "max_iters: 2.5"))
            .getMessage()
            .endsWith("training.max_iters must be an integer, got 2.5"));
    assertTrue(
        failure(MINIMAL + "  learning_rate: fast\n".replace("  learning_rate", "  weight_decay"))
            .getMessage()
            .endsWith("training.weight_decay must be a number, got \"fast\""));
    assertTrue(
        failure(MINIMAL.replace("n_layer: 2", "n_layer: [2]"))
            .getMessage()
            .endsWith("model.n_layer must be an integer, got [2]"));
    assertTrue(
        failure(MINIMAL + "run:\n  prompts: apple\n")
            .getMessage()
            .endsWith("run.prompts must be a list of strings, got \"apple\""));
    assertTrue(
        failure(MINIMAL.replace("tokenizer: word", "tokenizer: wordpiece"))
            .getMessage()
            .endsWith("data.tokenizer must be one of char, word, bpe, gpt2, got \"wordpiece\""));
    assertTrue(
        failure(MINIMAL.replace("n_layer: 2", "n_layer:"))
            .getMessage()
            .endsWith("model.n_layer must be an integer, got nothing"));
  }

  @Test
  void outOfRangeValuesNameKeyAndValue() throws IOException {
    assertTrue(
        failure(MINIMAL.replace("learning_rate: 3e-4", "learning_rate: -0.001"))
            .getMessage()
            .endsWith("bad.yaml: training.learning_rate must be a finite number > 0, got -0.001"));
    assertTrue(
        failure(MINIMAL.replace("n_embd: 16", "n_embd: 15"))
            .getMessage()
            .endsWith("model.n_embd must be divisible by model.n_head (2), got 15"));
    assertTrue(
        failure(MINIMAL + "  beta2: 1.0\n").getMessage().endsWith("training.beta2 must be in [0.0, 1.0), got 1.0"));
    assertTrue(
        failure(MINIMAL.replace("n_layer: 2", "n_layer: 0")).getMessage().endsWith("model.n_layer must be >= 1, got 0"));
    assertTrue(
        failure(MINIMAL + "  warmup_iters: 400\n")
            .getMessage()
            .endsWith(
                "training.lr_decay_iters must be > training.warmup_iters (400) for the cosine schedule, got 300"));
    assertTrue(
        failure(MINIMAL.replace("block_size: 8", "block_size: 8\n  dropout: 1.0"))
            .getMessage()
            .endsWith("model.dropout must be in [0.0, 1.0), got 1.0"));
    assertTrue(
        failure(MINIMAL + "run:\n  name: ../escape\n")
            .getMessage()
            .contains("run.name must be letters, digits"));
  }

  @Test
  void minLrAboveTheRateIsRefusedOnlyWhereCosineDecaysToIt() throws IOException {
    String low = MINIMAL.replace("learning_rate: 3e-4", "learning_rate: 3e-5");
    assertTrue(failure(low).getMessage().contains("training.min_lr must be <= training.learning_rate"));
    Path file = write("constant.yaml", low + "  lr_schedule: constant\n");
    assertEquals(3e-5, ConfigLoader.load(file, List.of()).training().learningRate());
  }

  @Test
  void bpeKeysAreCheckedAndReadBack() throws IOException {
    String bpe = MINIMAL.replace("tokenizer: word", "tokenizer: bpe");
    assertTrue(failure(bpe).getMessage().endsWith("bad.yaml: data.vocab_size is required for data.tokenizer: bpe"
        + " (e.g. 512), unless data.merges names a merges file, got \"nothing\""), failure(bpe).getMessage());
    assertTrue(failure(bpe, "data.vocab_size=100").getMessage()
        .endsWith("--set data.vocab_size=100: data.vocab_size must be >= 256, got 100"), failure(bpe, "data.vocab_size=100").getMessage());
    Config config = ConfigLoader.load(write("bpe.yaml", bpe.replace("tokenizer: bpe", "tokenizer: bpe\n  vocab_size: 512\n  merges: m.txt")), List.of());
    assertEquals(512, config.data().tokenizerSpec().vocabSize());
    assertEquals(dir.resolve("m.txt"), config.data().tokenizerSpec().merges());
    Config again = ConfigLoader.fromYaml(config.toYaml(), "resolved", Path.of("/elsewhere"), "other", List.of());
    assertEquals(config, again);
    Config word = ConfigLoader.load(write("word.yaml", MINIMAL), List.of());
    assertTrue(!word.toYaml().contains("vocab_size") && !word.toYaml().contains("merges"), word.toYaml());
  }

  @Test
  void missingDataPathIsAnError() throws IOException {
    assertTrue(failure("model:\n  n_layer: 1\n").getMessage().endsWith("bad.yaml: data.path is required but missing"));
  }

  @Test
  void setErrorsNameTheOverride() throws IOException {
    assertEquals(
        "--set training.max_iter=10: training.max_iter is not a known key (did you mean training.max_iters?)",
        failure(MINIMAL, "training.max_iter=10").getMessage());
    assertEquals(
        "--set training.max_iters=ten: training.max_iters must be an integer, got \"ten\"",
        failure(MINIMAL, "training.max_iters=ten").getMessage());
    assertEquals(
        "--set training.learning_rate=0: training.learning_rate must be a finite number > 0, got 0.0",
        failure(MINIMAL, "training.learning_rate=0").getMessage());
    assertEquals("--set max_iters: expected section.key=value", failure(MINIMAL, "max_iters").getMessage());
  }

  @Test
  void invalidYamlAndMissingFileAreOneLine() throws IOException {
    ConfigException syntax = failure("model:\n  n_layer: [1\n");
    assertTrue(syntax.getMessage().contains("bad.yaml: not valid YAML at line"), syntax.getMessage());
    assertEquals(1, syntax.getMessage().lines().count());
    Path missing = dir.resolve("nope.yaml");
    assertEquals(
        missing + ": no such config file",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, List.of())).getMessage());
  }

  @Test
  void duplicateKeyIsAnErrorNamingTheKey() throws IOException {
    // The later value used to win silently over the one the user reads first.
    ConfigException e = failure(MINIMAL.replace("  n_layer: 2\n", "  n_layer: 2\n  n_layer: 6\n"));
    assertTrue(e.getMessage().startsWith(dir.resolve("bad.yaml") + ": not valid YAML at line 3"), e.getMessage());
    assertTrue(e.getMessage().contains("n_layer"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void nonUtf8FileSaysSo() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "model:\n  n_layer: 2 # caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertEquals(file + ": not valid UTF-8 (save the config file as UTF-8)",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of())).getMessage());
  }

  @Test
  void setOfASectionOrOfAnIntegerTooLargeSaysWhatIsWrong() throws IOException {
    assertEquals("--set model=3: model is a section; expected section.key=value",
        failure(MINIMAL, "model=3").getMessage());
    assertEquals("--set training.max_iters=99999999999: training.max_iters must be an integer between -2147483648"
        + " and 2147483647, got 99999999999", failure(MINIMAL, "training.max_iters=99999999999").getMessage());
  }

  @Test
  void resolvedYamlReadsBackIntoAnEqualConfig() throws IOException {
    Config config =
        ConfigLoader.load(
            write("tiny.yaml", MINIMAL),
            List.of("run.prompt=true", "run.prompts=[\"1\", \"a: b\", \"# not a comment\", \"\"]"));
    String yaml = config.toYaml();
    Config again = ConfigLoader.fromYaml(yaml, "resolved", Path.of("/elsewhere"), "other", List.of());
    assertEquals(config, again, yaml);
    assertTrue(yaml.contains("learning_rate: 3.0E-4") || yaml.contains("learning_rate: 0.0003"), yaml);
  }

  @Test
  void resumeAllowsOnlyLoopSettings() throws IOException {
    String resolved = ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of()).toYaml();
    Config resumed = ConfigLoader.forResume(resolved, "ckpt", List.of("training.max_iters=600"));
    assertEquals(600, resumed.training().maxIters());
    assertEquals(2, resumed.model().nLayer());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.forResume(resolved, "ckpt", List.of("model.n_layer=6")));
    assertTrue(e.getMessage().startsWith("--set model.n_layer=6: model.n_layer cannot change on resume"));
    assertThrows(
        ConfigException.class,
        () -> ConfigLoader.forResume(resolved, "ckpt", List.of("data.tokenizer=char")));
    assertFalse(resumed.differences(ConfigLoader.forResume(resolved, "ckpt", List.of())).isEmpty());
  }

  @Test
  void workersAreValidatedAndACheckpointWrittenBeforeThemResumesOnOneGraph() throws IOException {
    Config config = ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of());
    assertEquals(2, config.training().workers());
    String resolved = config.toYaml();
    assertTrue(resolved.contains("workers: 2"), resolved);
    assertEquals(2, ConfigLoader.forResume(resolved, "ckpt", List.of()).training().workers());
    String older = resolved.replace("  workers: 2\n", "");
    assertFalse(older.contains("workers"), older);
    assertEquals(1, ConfigLoader.forResume(older, "ckpt", List.of()).training().workers());
    assertEquals(3, ConfigLoader.forResume(older, "ckpt", List.of("training.workers=3")).training().workers());

    for (String bad : List.of("0", "65")) {
      ConfigException e = assertThrows(
          ConfigException.class,
          () -> ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of("training.workers=" + bad)));
      assertTrue(e.getMessage().contains("training.workers must be"), e.getMessage());
    }
  }

  @Test
  void optimizerKeysDefaultToAdamWAndMuonsOwnSettings() throws IOException {
    TrainingSection t = ConfigLoader.load(write("tiny.yaml", MINIMAL), List.of()).training();
    assertEquals(Optimizer.Kind.ADAMW, t.optimizer());
    assertEquals(0.02, t.muonLearningRate(), 0);
    assertEquals(0.95, t.muonMomentum(), 0);
    assertEquals(0.0, t.muonWeightDecay(), 0);
    TrainingSection muon = ConfigLoader.load(write("muon.yaml", MINIMAL + "  optimizer: muon\n  muon_learning_rate: 0.05\n"),
        List.of()).training();
    assertEquals(Optimizer.Kind.MUON, muon.optimizer());
    assertEquals(0.05, muon.muonLearningRate(), 0);
  }

  @Test
  void badOptimizerValuesNameKeyAndValue() throws IOException {
    assertTrue(failure(MINIMAL + "  optimizer: sgd\n").getMessage()
        .endsWith("training.optimizer must be one of adamw, muon, got \"sgd\""));
    assertTrue(failure(MINIMAL, "training.muon_learning_rate=0").getMessage()
        .endsWith("training.muon_learning_rate must be a finite number > 0, got 0.0"));
    assertTrue(failure(MINIMAL, "training.muon_momentum=1").getMessage()
        .endsWith("training.muon_momentum must be in [0.0, 1.0), got 1.0"));
    assertTrue(failure(MINIMAL, "training.muon_weight_decay=-0.1").getMessage()
        .endsWith("training.muon_weight_decay must be a finite number >= 0, got -0.1"));
  }
}
