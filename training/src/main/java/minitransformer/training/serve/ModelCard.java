package minitransformer.training.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitransformer.datasets.WordTokenizer;
import minitransformer.framework.ParameterCount;
import minitransformer.training.TrainedModel;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.Schema;
import minitransformer.training.report.Json;
import minitransformer.training.report.ParamsDocument;
import minitransformer.training.report.WordToken;
import minitransformer.training.metrics.MetricsLog;

/**
 * GET /api/model: what the page's model card shows. The checkpoint and its step, the tokenizer, the
 * architecture and parameter table as {@code params --json} gives them, the run's resolved config,
 * and from the run's {@code metrics.jsonl} (up to this checkpoint's step) the loss curve and the last
 * evaluation's losses.
 */
final class ModelCard {
  private ModelCard() {}

  /**
   * The card of m; following (the server follows m's run while it trains) adds every metrics line logged so far,
   * not only those up to m's step, and how many lines that was ({@code metrics_lines}), so that the page
   * takes the pushed lines from there on.
   */
  static ObjectNode of(TrainedModel m, boolean following) {
    ObjectNode card = Json.MAPPER.createObjectNode();
    card.put("checkpoint", m.directory().toString());
    card.put("step", m.step());
    card.put("tokenizer", m.tokenizer().kind());
    card.put("vocab_size", m.tokenizer().vocabSize());
    card.set("params", Json.MAPPER.valueToTree(ParamsDocument.of(m.config(), ParameterCount.of(m.config()))));
    Path run = m.directory().toAbsolutePath().getParent();
    Path config = run == null ? null : run.resolve(TrainingRun.CONFIG_FILE);
    String yaml = config != null && Files.isRegularFile(config) ? read(config) : null;
    card.put("config_yaml", yaml);
    ArrayNode prompts = card.putArray("prompts");
    for (String prompt : prompts(yaml)) {
      prompts.add(prompt);
    }
    ArrayNode words = card.putArray("words");
    for (String word : suggestedWords(m, prompts.isEmpty() ? "" : prompts.get(0).asText())) {
      words.add(word);
    }
    ArrayNode steps = card.putArray("loss_curve");
    ArrayNode evals = card.putArray("evaluations");
    JsonNode last = null;
    card.put("following", following);
    if (run != null) {
      Path metrics = run.resolve(MetricsLog.FILE);
      card.put("metrics_lines", following ? completeLines(metrics) : 0);
      for (JsonNode line : MetricsLog.read(metrics)) {
        if (!following && line.path("iter").asLong(Long.MAX_VALUE) > m.step()) {
          continue; // logged after this checkpoint
        }
        if ("step".equals(line.path("type").asText())) {
          steps.addObject().put("iter", line.path("iter").asLong()).set("loss", line.get("loss"));
        } else if ("eval".equals(line.path("type").asText())) {
          evals.add(line);
          last = line;
        }
      }
    }
    card.set("final", last);
    ObjectNode limits = card.putObject("limits");
    limits.put("prompt_chars", Api.MAX_PROMPT_CHARS);
    limits.put("sample_tokens", Api.MAX_SAMPLE_TOKENS);
    limits.put("body_bytes", Exchanges.MAX_BODY_BYTES);
    return card;
  }

  /** The config's run.prompts, the prompts train printed predictions for. */
  private static List<String> prompts(String yaml) {
    List<String> prompts = new ArrayList<>();
    if (yaml == null) {
      return prompts;
    }
    // a config the page cannot read only loses its example prompts
    for (JsonNode p : ConfigLoader.rawValue(yaml, Schema.PROMPTS).orElse(NullNode.getInstance())) {
      if (p.isTextual() && !p.asText().isBlank()) {
        prompts.add(p.asText());
      }
    }
    return prompts;
  }

  /**
   * Words for the embedding views: the first prompt's last word, then up to two of its other words of
   * five letters or more, latest first (for the default model: apple, wanted, orange); on GPT-2's
   * vocabulary, {@link WordToken#EXAMPLES}.
   */
  private static List<String> suggestedWords(TrainedModel m, String prompt) {
    List<String> words = new ArrayList<>(WordToken.examples(m.tokenizer()));
    String[] parts = prompt.toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}]+");
    for (int i = parts.length - 1; i >= 0 && words.size() < 3; i--) {
      String w = parts[i];
      boolean known = m.tokenizer().id(w).isPresent() && !w.equals(WordTokenizer.UNK);
      if (known && !words.contains(w) && (words.isEmpty() || w.length() >= 5) && m.tokenizer() instanceof WordTokenizer) {
        words.add(w);
      }
    }
    return words;
  }

  /** The whole lines a file holds now (its newline characters). */
  private static long completeLines(Path file) {
    if (!Files.isRegularFile(file)) {
      return 0;
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      long n = 0;
      for (byte b : bytes) {
        n += b == '\n' ? 1 : 0;
      }
      return n;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
