package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import minitransformer.framework.analysis.AttentionExplanation;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.RawScores;
import minitransformer.training.TrainedModel;
import minitransformer.training.cli.CliRun;
import minitransformer.training.cli.TinyTrainedModel;
import minitransformer.training.viz.HeadlessChromium;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The explorer page in headless Chromium, driven as a person would: type a prompt and see the bars
 * show {@code predict}'s numbers, move the temperature and see them change, hover and click the
 * attention maps, open the q·k breakdown, stream a sample and get {@code sample}'s text. Keeps
 * target/browser/serve-page.png. Needs /usr/bin/chromium; run with {@code -Dgroups=browser -DexcludedGroups=}.
 * {@code -Dserve.checkpoint=DIR -Dserve.prompt=TEXT -Dserve.words=a,b,c} run it on another model (the README's
 * screenshot comes from the default model this way).
 */
@Tag("browser")
class ServePageBrowserTest {
  private static final String PROMPT = System.getProperty("serve.prompt", TinyTrainedModel.PROMPT);
  private static final String WORDS = System.getProperty("serve.words", "apple,orange,phone");

  @Test
  void aPersonExploresTheModel() throws Exception {
    assertTrue(Files.isExecutable(HeadlessChromium.BINARY), HeadlessChromium.BINARY + " is missing: apt-get install -y chromium");
    String checkpoint = System.getProperty("serve.checkpoint");
    String run = checkpoint != null ? checkpoint : TinyTrainedModel.run().toString();
    TrainedModel model = checkpoint != null ? TrainedModel.load(Path.of(checkpoint)) : TinyTrainedModel.loaded();
    int[] ids = model.tokenizer().encode(PROMPT);
    int T = ids.length;
    try (ExplorerServer server = ExplorerServer.start(model, "127.0.0.1", 0, 1);
        HeadlessChromium chromium = HeadlessChromium.start(1400, 1000)) {
      chromium.open(server.uri().toString());
      waitFor(chromium, "document.getElementById('checkpoint').textContent", s -> s.contains("step " + model.step()));

      // Type the prompt one character at a time, as a keyboard would.
      chromium.evaluate("(() => { const p = document.getElementById('prompt'); p.value = ''; p.focus(); })()");
      for (char c : PROMPT.toCharArray()) {
        chromium.send("Input.insertText", Map.of("text", String.valueOf(c)));
      }
      JsonNode cli = json(CliRun.of("predict", "--checkpoint", run, "--prompt", PROMPT, "--top", "10", "--json"));
      waitForBars(chromium, cli, "probability");
      String before = chromium.evaluate(BARS_DRAW).asText();

      // Temperature 2: the bars (the draw probabilities) change to predict --temperature 2's.
      chromium.evaluate("(() => { const t = document.getElementById('temperature'); t.value = '2';"
          + " t.dispatchEvent(new Event('input')); })()");
      JsonNode hot = json(CliRun.of("predict", "--checkpoint", run, "--prompt", PROMPT, "--top", "10", "--json",
          "--temperature", "2"));
      waitForBars(chromium, hot, "sampling_probability");
      assertNotEquals(before, chromium.evaluate(BARS_DRAW).asText(), "the bars moved with the temperature");
      assertEquals("2.00", chromium.evaluate("document.getElementById('temperature-value').textContent").asText());

      // Attention: every layer x head map; hover one cell with the mouse for its weight.
      int L = model.config().nLayer();
      int H = model.config().nHead();
      waitFor(chromium, "String(document.querySelectorAll('#grid .cell').length)", s -> s.equals(String.valueOf(L * H * T * T)));
      AttentionMaps maps = AttentionMaps.of(model.gpt(), ids);
      JsonNode cell = center(chromium, "#grid .cell[data-l=\"1\"][data-h=\"1\"][data-q=\"" + (T - 1) + "\"][data-k=\"2\"]");
      chromium.moveMouse(cell.get("x").asDouble(), cell.get("y").asDouble());
      String tip = chromium.evaluate("document.getElementById('tooltip').textContent").asText();
      assertEquals("block", chromium.evaluate("getComputedStyle(document.getElementById('tooltip')).display").asText());
      assertTrue(tip.contains("layer 1, head 1"), tip);
      assertTrue(tip.contains("weight " + String.format(Locale.ROOT, "%.4f", maps.weight(1, 1, T - 1, 2))), tip);

      // Click a token: its row lights up in every map.
      JsonNode token = center(chromium, ".tok[data-i=\"3\"]");
      chromium.click(token.get("x").asDouble(), token.get("y").asDouble());
      assertEquals(L * H * T, chromium.evaluate("document.querySelectorAll('#grid .cell.rowsel').length").asInt());
      assertTrue(chromium.evaluate("document.querySelector('.tok[data-i=\"3\"]').classList.contains('selected')").asBoolean());

      // Click a map: it opens enlarged, and becomes the head of the breakdown and the raw scores.
      JsonNode map = center(chromium, "#grid .cell[data-l=\"1\"][data-h=\"0\"][data-q=\"" + (T - 1) + "\"][data-k=\"0\"]");
      chromium.click(map.get("x").asDouble(), map.get("y").asDouble());
      assertEquals("block", chromium.evaluate("getComputedStyle(document.getElementById('overlay')).display").asText());
      assertEquals(T * T, chromium.evaluate("document.querySelectorAll('#enlarged .cell').length").asInt());
      JsonNode close = center(chromium, "#close-enlarged");
      chromium.click(close.get("x").asDouble(), close.get("y").asDouble());
      assertEquals("none", chromium.evaluate("getComputedStyle(document.getElementById('overlay')).display").asText());
      RawScores raw = RawScores.of(model.gpt(), ids, 1);
      waitFor(chromium, "document.getElementById('raw-title').textContent",
          s -> s.contains("layer 1, head 0") && s.contains(String.format(Locale.ROOT, "%.4f", raw.asymmetry(0))));

      // The q·k breakdown of query 3 in layer 1, head 0.
      JsonNode explain = center(chromium, "#explain-button");
      chromium.click(explain.get("x").asDouble(), explain.get("y").asDouble());
      waitFor(chromium, "String(document.querySelectorAll('#explain tr').length)", s -> s.equals(String.valueOf(T + 1)));
      AttentionExplanation e = AttentionExplanation.of(model.gpt(), ids, 1, 3);
      String row0 = chromium.evaluate("Array.from(document.querySelectorAll('#explain tr')[1].children)"
          + ".map(td => td.textContent).join('|')").asText();
      assertTrue(row0.contains(String.format(Locale.ROOT, "|%.4f|%.4f|", e.heads().get(0).dots()[0], e.heads().get(0).scores()[0])),
          row0);
      String masked = chromium.evaluate("document.querySelectorAll('#explain tr')[5].textContent").asText();
      assertTrue(masked.contains("−∞"), "key 4 is after query 3: " + masked);

      // Stream a sample at temperature 0.9: the text sample prints.
      chromium.evaluate("(() => { const t = document.getElementById('temperature'); t.value = '0.9';"
          + " t.dispatchEvent(new Event('input')); document.getElementById('sample-tokens').value = '30';"
          + " document.getElementById('seed').value = '5'; })()");
      JsonNode sample = center(chromium, "#sample-button");
      chromium.click(sample.get("x").asDouble(), sample.get("y").asDouble());
      waitFor(chromium, "document.getElementById('sample-status').textContent", s -> s.contains("done"));
      CliRun sampled = CliRun.of("sample", "--checkpoint", run, "--prompt", PROMPT, "--tokens", "30", "--seed", "5",
          "--temperature", "0.9", "--top-k", "0", "--top-p", "1");
      assertEquals(sampled.out().stripTrailing(), chromium.evaluate("document.getElementById('sample-out').textContent").asText());

      // Embeddings: the three tables for three words.
      chromium.evaluate("document.getElementById('sim-words').value = '" + WORDS + "'");
      JsonNode compare = center(chromium, "#sim-button");
      chromium.click(compare.get("x").asDouble(), compare.get("y").asDouble());
      waitFor(chromium, "String(document.querySelectorAll('#sim-tables table').length)", s -> s.equals("3"));

      chromium.moveMouse(cell.get("x").asDouble(), cell.get("y").asDouble());
      chromium.evaluate("window.scrollTo(0, 0)");
      Path dir = Path.of("target", "browser").toAbsolutePath();
      Files.createDirectories(dir);
      byte[] png = chromium.screenshot();
      Files.write(dir.resolve("serve-page.png"), png);
      assertTrue(png.length > 20_000, "screenshot of " + png.length + " bytes");
    }
  }

  private static final String BARS_DRAW = "Array.from(document.querySelectorAll('.bar-row')).map(r => r.dataset.draw).join('|')";

  /** Waits until the bars list predict's tokens in order, with its numbers (field) within 1e-6. */
  private static void waitForBars(HeadlessChromium chromium, JsonNode predict, String field) throws Exception {
    String key = field.equals("probability") ? "probability" : "draw";
    long deadline = System.nanoTime() + 20_000_000_000L;
    JsonNode shown = null;
    while (System.nanoTime() < deadline) {
      shown = chromium.evaluate("Array.from(document.querySelectorAll('.bar-row'))"
          + ".map(r => [r.dataset.token, Number(r.dataset." + key + ")])");
      if (matches(shown, predict, field)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the bars never showed predict's " + field + ": " + shown + "\nexpected " + predict
        + "\nprompt box: " + chromium.evaluate("document.getElementById('prompt').value")
        + "\nstatus: " + chromium.evaluate("document.getElementById('predict-status').textContent"));
  }

  private static boolean matches(JsonNode shown, JsonNode predict, String field) {
    JsonNode expected = predict.get("predictions");
    if (shown == null || shown.size() != expected.size()) {
      return false;
    }
    for (int i = 0; i < shown.size(); i++) {
      if (!shown.get(i).get(0).asText().equals(expected.get(i).get("token").asText())
          || Math.abs(shown.get(i).get(1).asDouble() - expected.get(i).get(field).asDouble()) > 1e-6) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode json(CliRun run) throws Exception {
    assertEquals(0, run.exit(), run.err());
    return ServeClient.JSON.readTree(run.out());
  }

  /** Scrolls an element into view and gives its centre in viewport coordinates. */
  private static JsonNode center(HeadlessChromium chromium, String selector) throws Exception {
    String q = "document.querySelector('" + selector.replace("'", "\\'") + "')";
    return chromium.evaluate("(() => { const e = " + q + "; e.scrollIntoView({block: 'center'});"
        + " const r = e.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
  }

  /** Waits up to 30 s until expression, evaluated in the page, satisfies done. */
  static void waitFor(HeadlessChromium chromium, String expression, Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    String value = "";
    while (System.nanoTime() < deadline) {
      value = chromium.evaluate(expression).asText();
      if (done.test(value)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(expression + " never got there; last: " + value);
  }
}
