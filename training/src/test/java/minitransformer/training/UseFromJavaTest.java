package minitransformer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import minitransformer.framework.generate.Prediction;
import minitransformer.training.cli.CliRun;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.viz.TokenText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use it from Java" example, compiled and run on a tiny model. The README holds the
 * text between the two marker lines below, dedented; {@link #theReadmeShowsThisExactCode} fails when
 * they differ, so the example cannot rot.
 */
class UseFromJavaTest {
  private static final String BEGIN = "// README example begin";
  private static final String END = "// README example end";

  @TempDir Path dir;

  static void example(Path yaml, PrintWriter out) {
    // README example begin
    // A model from a config file: its model, data, training and run sections, as in configs/.
    Config config = ConfigLoader.load(yaml, List.of("training.max_iters=40"));
    // Train it; checkpoints (every training.checkpoint_interval steps and at the end) go to
    // run.out_dir/run.name (NAME-2, NAME-3, ... when that holds an earlier run) with the resolved
    // config.yaml and metrics.jsonl.
    Trainer.Result result = Training.train(config);
    // Load a checkpoint: one step-NNNNNN directory, or a run directory for its latest.
    TrainedModel model = TrainedModel.load(result.lastCheckpoint());
    String prompt = "ben charged his phone and then he wanted the apple";
    // The five most likely next tokens, best first, white space shown as ␣ ↵ ⇥ as the commands show it.
    for (Prediction p : model.predictNext(prompt, 5)) {
      out.printf(Locale.ROOT, "%s %.4f%n", TokenText.display(model.tokenizer().token(p.id())), p.probability());
    }
    // Attention weights of block 0, head 1: att[query][key] over the prompt's tokens, rows sum to 1.
    double[][] att = model.attention(prompt).map(0, 1);
    out.println("last token attends: " + Arrays.toString(att[att.length - 1]));
    // README example end
  }

  @Test
  void theExampleRunAgainWritesANewRunBesideTheFirst() throws Exception {
    Path yaml = tinyConfig();
    example(yaml, new PrintWriter(Writer.nullWriter()));
    Path first = dir.resolve("runs").resolve("tiny");
    long firstMetrics = Files.size(first.resolve("metrics.jsonl"));
    // The README's flow: the main command (or this example) has already written the config's run directory.
    example(yaml, new PrintWriter(Writer.nullWriter()));
    assertTrue(Files.isDirectory(dir.resolve("runs").resolve("tiny-2").resolve("step-000040")),
        "the second run goes to tiny-2");
    assertEquals(firstMetrics, Files.size(first.resolve("metrics.jsonl")), "the first run is left as it was");
  }

  private Path tinyConfig() throws Exception {
    Files.writeString(dir.resolve("corpus.txt"), """
        anna peeled an orange and then she wanted the apple .
        ben charged his phone and then he wanted the apple .
        the orange was sweet and the apple phone was new .
        """.repeat(20));
    return Files.writeString(dir.resolve("tiny.yaml"), """
        model: {n_layer: 2, n_head: 2, n_embd: 16, block_size: 16}
        data: {path: corpus.txt, tokenizer: word}
        training: {batch_size: 8, learning_rate: 0.01, warmup_iters: 5, eval_interval: 20, eval_iters: 2,
                   checkpoint_interval: 20, keep_last: 2}
        run: {name: tiny, out_dir: runs, prompts: []}
        """);
  }

  @Test
  void theExampleTrainsSavesLoadsAndAnswersAsTheCommandsDo() throws Exception {
    Path yaml = tinyConfig();
    StringWriter printed = new StringWriter();
    example(yaml, new PrintWriter(printed, true));
    List<String> lines = printed.toString().lines().toList();
    assertEquals(6, lines.size(), printed.toString());

    Path run = dir.resolve("runs").resolve("tiny");
    assertTrue(Files.isDirectory(run.resolve("step-000040")) && Files.isDirectory(run.resolve("step-000020")),
        "checkpoints at steps 20 and 40");
    // The same predictions as `predict` on the run directory (its latest checkpoint, step 40).
    CliRun predict = CliRun.of("predict", "--checkpoint", run.toString(), "--prompt",
        "ben charged his phone and then he wanted the apple", "--top", "5", "--json");
    assertEquals(0, predict.exit(), predict.err());
    JsonNode json = new ObjectMapper().readTree(predict.out());
    assertEquals(40, json.get("step").asInt());
    for (int r = 0; r < 5; r++) {
      JsonNode p = json.get("predictions").get(r);
      assertEquals(String.format(Locale.ROOT, "%s %.4f", TokenText.display(p.get("token").asText()),
              p.get("probability").asDouble()),
          lines.get(r));
    }
    // The last query's attention: a distribution over the 10 prompt tokens.
    String row = lines.get(5).replaceFirst("^last token attends: \\[", "").replaceFirst("]$", "");
    double[] weights = Arrays.stream(row.split(", ")).mapToDouble(Double::parseDouble).toArray();
    assertEquals(10, weights.length);
    assertEquals(1.0, Arrays.stream(weights).sum(), 1e-5);
    assertTrue(Arrays.stream(weights).allMatch(w -> w > 0), row);
  }

  @Test
  void theReadmeShowsThisExactCode() throws Exception {
    String source = Files.readString(Path.of("src/test/java/minitransformer/training/UseFromJavaTest.java"),
        StandardCharsets.UTF_8);
    int begin = source.indexOf(BEGIN + "\n");
    int end = source.indexOf("    " + END);
    assertTrue(begin > 0 && end > begin, "markers in the test source");
    String snippet = source.substring(begin + BEGIN.length() + 1, end).lines()
        .map(line -> line.startsWith("    ") ? line.substring(4) : line)
        .reduce("", (a, line) -> a + line + "\n");
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    assertTrue(readme.contains("```java\n" + snippet + "```\n"),
        "README.md's \"Use it from Java\" block must be exactly:\n" + snippet);
  }
}
