package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.TokenizerSpec;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.optim.Optimizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** sample and predict end to end through Main.commandLine() on tiny saved models (block_size 8). */
class SamplePredictCommandTest {
  static final String TEXT = "the cat sat on the mat.\nthe dog ate the hat.\n";
  static final String PROMPT = "the c";
  @TempDir static Path tmp;
  static Path charRun;
  static Path charCheckpoint;
  static Path wordRun;

  @BeforeAll
  static void models() {
    charRun = tmp.resolve("char-run");
    charCheckpoint = save(charRun, Tokenizers.fit(TokenizerSpec.chars(), TEXT), PositionalEncoding.LEARNED);
    wordRun = tmp.resolve("word-run");
    save(wordRun, Tokenizers.fit(TokenizerSpec.words(true, 0, 1), TEXT), PositionalEncoding.SINUSOIDAL);
  }

  /** A 2-layer, width-16, block-8 model with weights of std 0.3 (far from uniform), saved as step 0. */
  static Path save(Path run, Tokenizer tokenizer, PositionalEncoding pe) {
    GPTConfig config = new GPTConfig(tokenizer.vocabSize(), 8, 2, 2, 16, pe, true, true, 0.0);
    GPT gpt = GPT.create(config, 3);
    org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(4);
    Map<String, INDArray> parameters = new LinkedHashMap<>();
    Map<String, INDArray> moments = new LinkedHashMap<>();
    gpt.parameters().forEach((name, w) -> {
      parameters.put(name, Nd4j.randn(rng, w.shape()).muli(0.3).castTo(w.dataType()).addi(name.endsWith("gamma") ? 1 : 0));
      moments.put("m/" + name, Nd4j.zerosLike(w));
      moments.put("v/" + name, Nd4j.zerosLike(w));
    });
    String yaml = ImportedConfig.importedConfigYaml(config, tokenizer.kind(), run);
    TrainingState state = new TrainingState(0, 0, config, yaml, Tokenizers.toJson(tokenizer), 1, 2, 3, Double.NaN,
        Double.NaN, Double.NaN, parameters, moments, 0, Optimizer.Kind.ADAMW);
    return new CheckpointStore(run, 1).save(state, false);
  }

  static String sample(String... extra) {
    String[] args = new String[6 + extra.length];
    System.arraycopy(new String[] {"sample", "--checkpoint", charRun.toString(), "--prompt", PROMPT, "--tokens"}, 0,
        args, 0, 6);
    System.arraycopy(extra, 0, args, 6, extra.length);
    CliRun r = CliRun.of(args);
    assertEquals(0, r.exit(), r.err());
    return r.out();
  }

  @Test
  void streamsThePromptThenTheRequestedNumberOfTokens() {
    String out = sample("20", "--seed", "5");
    assertTrue(out.startsWith(PROMPT), out);
    assertEquals(PROMPT.length() + 20 + System.lineSeparator().length(), out.length(), out); // one char per token
  }

  @Test
  void sameSeedSameTextOtherSeedOtherText() {
    assertEquals(sample("30", "--seed", "5", "--temperature", "1"), sample("30", "--seed", "5", "--temperature", "1"));
    assertNotEquals(sample("30", "--seed", "5", "--temperature", "1"), sample("30", "--seed", "6", "--temperature", "1"));
  }

  @Test
  void temperatureZeroIsSeedIndependentAndEqualsTopKOneAndTinyTopP() {
    String greedy = sample("30", "--temperature", "0", "--seed", "1");
    assertEquals(greedy, sample("30", "--temperature", "0", "--seed", "2"));
    assertEquals(greedy, sample("30", "--temperature", "1.5", "--top-k", "1", "--seed", "3"));
    assertEquals(greedy, sample("30", "--temperature", "1", "--top-p", "1e-9", "--top-k", "0", "--seed", "4"));
  }

  @Test
  void theExactCachePathGivesTheUncachedTextPastTheBlock() { // 30 tokens > block_size 8: the window slides
    String uncached = sample("30", "--seed", "9", "--temperature", "1", "--top-p", "0.9", "--no-cache");
    assertEquals(uncached, sample("30", "--seed", "9", "--temperature", "1", "--top-p", "0.9", "--refill", "8"));
  }

  @Test
  void theSameDiffCacheIsGone() {
    CliRun r = CliRun.of("sample", "--checkpoint", charCheckpoint.toString(), "--prompt", PROMPT, "--cache-impl",
        "samediff");
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("error: Unknown options: '--cache-impl'"), r.err());
  }

  @Test
  void theDefaultRefillIsHalfTheBlock() { // block_size 8
    String half = sample("30", "--seed", "9", "--temperature", "1", "--refill", "4");
    assertEquals(half, sample("30", "--seed", "9", "--temperature", "1"));
  }

  @Test
  void aSmallerRefillStillGivesTheTokensAndNumSamplesUsesSuccessiveSeeds() {
    String out = sample("25", "--refill", "4", "--seed", "2");
    assertEquals(PROMPT.length() + 25 + System.lineSeparator().length(), out.length(), out);
    String two = sample("12", "--num-samples", "2", "--seed", "7", "--temperature", "1");
    String first = sample("12", "--seed", "7", "--temperature", "1");
    String second = sample("12", "--seed", "8", "--temperature", "1");
    assertTrue(two.contains(first.strip()) && two.contains(second.strip()), two);
  }

  @Test
  void aCheckpointDirectoryWorksLikeItsRunDirectory() {
    CliRun r = CliRun.of("sample", "--checkpoint", charCheckpoint.toString(), "--prompt", PROMPT, "--tokens", "15",
        "--seed", "3");
    assertEquals(0, r.exit(), r.err());
    assertEquals(sample("15", "--seed", "3"), r.out());
  }

  @Test
  void predictJsonIsSortedSumsToAtMostOneAndStartsWithTheGreedyToken() throws Exception {
    CliRun r = CliRun.of("predict", "--checkpoint", charRun.toString(), "--prompt", PROMPT, "--top", "5", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    JsonNode predictions = root.get("predictions");
    assertEquals(5, predictions.size());
    double sum = 0;
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode p : predictions) {
      double prob = p.get("probability").asDouble();
      assertTrue(prob <= previous, "sorted best first");
      assertEquals(Math.log(prob), p.get("log_probability").asDouble(), 1e-9);
      previous = prob;
      sum += prob;
    }
    assertTrue(sum <= 1.0 + 1e-9 && sum > 0, "sum " + sum);
    String greedy = sample("1", "--temperature", "0");
    assertEquals(greedy.charAt(PROMPT.length()), predictions.get(0).get("token").asText().charAt(0));
    // All of the vocabulary: the probabilities sum to 1.
    CliRun all = CliRun.of("predict", "--checkpoint", charRun.toString(), "--prompt", PROMPT, "--top", "1000", "--json");
    double total = 0;
    for (JsonNode p : new ObjectMapper().readTree(all.out()).get("predictions")) {
      total += p.get("probability").asDouble();
    }
    assertEquals(1.0, total, 1e-6);
    // issue 13, item 8: asking for more than the vocabulary is said on stderr, once
    int vocabulary = new ObjectMapper().readTree(all.out()).get("predictions").size();
    assertEquals("note: --top 1000 is more than the vocabulary's " + vocabulary + " tokens; listing all " + vocabulary,
        all.err().strip());
    assertEquals("", r.err(), "--top within the vocabulary: nothing on stderr");
  }

  @Test
  void predictTableListsTheTopTokensBestFirst() {
    CliRun r = CliRun.of("predict", "--checkpoint", charRun.toString(), "--prompt", PROMPT, "--top", "3");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().strip().split("\\R");
    assertEquals(2 + 3, lines.length, r.out()); // a title, a header, 3 rows
    assertTrue(lines[2].trim().startsWith("1 "), lines[2]);
  }

  @Test
  void unknownWordsAreReadAsUnkWithAWarningNamingThem() {
    CliRun r = CliRun.of("predict", "--checkpoint", wordRun.toString(), "--prompt", "the zebra sat", "--top", "2");
    assertEquals(0, r.exit(), r.err());
    assertEquals("warning: not in the vocabulary, read as <unk>: zebra", r.err().strip());
    CliRun s = CliRun.of("sample", "--checkpoint", wordRun.toString(), "--prompt", "the cat", "--tokens", "12");
    assertEquals(0, s.exit(), s.err());
    assertTrue(s.out().startsWith("the cat"), s.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "sample|--tokens|5",
      "sample|--prompt|",
      "sample|--prompt-file|/no/such/prompt.txt",
      "sample|--prompt|ab|--prompt-file|/no/such/prompt.txt",
      "sample|--prompt|ab|--tokens|0",
      "sample|--prompt|ab|--temperature|-0.5",
      "sample|--prompt|ab|--top-p|0",
      "sample|--prompt|ab|--top-p|1.5",
      "sample|--prompt|ab|--top-k|-1",
      "sample|--prompt|ab|--num-samples|0",
      "sample|--prompt|ab|--refill|9",
      "sample|--prompt|aZb",
      "predict|--prompt|ab|--top|0",
      "predict|--prompt|ab|--top|-3",
      "predict|--prompt|",
      "NOT_A_CHECKPOINT"})
  void badInputGivesOneErrorLineAndExitTwo(String spec) throws Exception {
    String[] parts = spec.split("\\|", -1);
    String[] args;
    if (spec.equals("NOT_A_CHECKPOINT")) {
      Path empty = Files.createDirectories(tmp.resolve("empty"));
      args = new String[] {"sample", "--checkpoint", empty.toString(), "--prompt", "ab"};
    } else {
      args = new String[parts.length + 2];
      args[0] = parts[0];
      args[1] = "--checkpoint";
      args[2] = charRun.toString();
      System.arraycopy(parts, 1, args, 3, parts.length - 1);
    }
    CliRun r = CliRun.of(args);
    assertEquals(Main.EXIT_USAGE, r.exit(), r.out() + r.err());
    String[] lines = r.err().strip().split("\\R");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("error: "), r.err());
  }

  @Test
  void aPromptFileIsRead() throws Exception {
    Path file = Files.writeString(tmp.resolve("prompt.txt"), PROMPT);
    CliRun r = CliRun.of("sample", "--checkpoint", charRun.toString(), "--prompt-file", file.toString(), "--tokens", "15",
        "--seed", "3");
    assertEquals(0, r.exit(), r.err());
    assertEquals(sample("15", "--seed", "3"), r.out());
  }
}
