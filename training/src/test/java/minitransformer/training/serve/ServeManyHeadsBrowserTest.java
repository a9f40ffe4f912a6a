package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadFocus;
import minitransformer.training.TrainedModel;
import minitransformer.training.cli.TinyTrainedModel;
import minitransformer.training.viz.HeadlessChromium;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The explorer on a model of GPT-2's 12 layers × 12 heads (random weights, width 24, the tiny model's
 * vocabulary): the focus table of all 144 heads and one layer's maps, the layer of the most focused head;
 * clicking a head of another layer shows that layer.
 */
@Tag("browser")
class ServeManyHeadsBrowserTest {
  @Test
  void twelveByTwelveHeadsShowTheFocusTableAndOneLayerAtATime() throws Exception {
    assertTrue(Files.isExecutable(HeadlessChromium.BINARY), HeadlessChromium.BINARY + " is missing: apt-get install -y chromium");
    TrainedModel tiny = TinyTrainedModel.loaded();
    GPTConfig c = new GPTConfig(tiny.config().vocabSize(), tiny.config().blockSize(), 12, 12, 24,
        PositionalEncoding.LEARNED, true, true, 0.0);
    TrainedModel model = new TrainedModel(tiny.directory(), tiny.step(), GPT.create(c, 7), tiny.tokenizer(), c);
    try (ExplorerServer server = ExplorerServer.start(model, "127.0.0.1", 0, 1);
        HeadlessChromium chromium = HeadlessChromium.start(1400, 1000)) {
      chromium.open(server.uri().toString());
      ServePageBrowserTest.waitFor(chromium, "document.getElementById('checkpoint').textContent",
          s -> s.contains("step " + model.step()));
      String prompt = TinyTrainedModel.PROMPT;
      chromium.evaluate("(() => { const p = document.getElementById('prompt'); p.value = '" + prompt + "';"
          + " p.dispatchEvent(new Event('input')); })()");
      ServePageBrowserTest.waitFor(chromium, "String(document.querySelectorAll('#focus-table .fcell').length)"
          + " + ' ' + document.getElementById('grid').textContent.slice(0, 200)", s -> s.startsWith("144 "));
      int[] ids = model.context(prompt);
      int T = ids.length;
      HeadFocus best = HeadFocus.ranked(AttentionMaps.of(model.gpt(), ids)).get(0);
      ServePageBrowserTest.waitFor(chromium, "String(document.querySelectorAll('#grid .map[data-l=\"" + best.layer()
          + "\"]').length)", s -> s.equals("12"));
      assertEquals(12, chromium.evaluate("document.querySelectorAll('#grid .map').length").asInt());
      assertEquals(12 * T * T, chromium.evaluate("document.querySelectorAll('#grid .cell').length").asInt());
      assertTrue(chromium.evaluate("document.querySelector('#focus-table .fcell[data-l=\"" + best.layer()
          + "\"][data-h=\"" + best.head() + "\"]').classList.contains('chosen')").asBoolean());

      int other = (best.layer() + 5) % 12;
      JsonNode cell = chromium.evaluate("(() => { const e = document.querySelector('#focus-table .fcell[data-l=\""
          + other + "\"][data-h=\"3\"]'); e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
          + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
      chromium.click(cell.get("x").asDouble(), cell.get("y").asDouble());
      ServePageBrowserTest.waitFor(chromium, "String(document.querySelectorAll('#grid .map[data-l=\"" + other
          + "\"]').length)", s -> s.equals("12"));
      assertEquals(12, chromium.evaluate("document.querySelectorAll('#grid .map').length").asInt());
      ServePageBrowserTest.waitFor(chromium, "document.getElementById('raw-title').textContent",
          s -> s.contains("layer " + other + ", head 3"));
    }
  }
}
