package minitransformer.training.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.analysis.AttentionMaps;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention page in a real browser (Debian's headless Chromium): every cell renders with its
 * colour, hovering a cell shows the tooltip with query, key and the graph's weight, clicking a token
 * highlights its row. Keeps target/browser/attention-page.png. Needs /usr/bin/chromium
 * ({@code apt-get install -y chromium}); run with {@code mvn test -Dgroups=browser -DexcludedGroups=}.
 */
@Tag("browser")
class AttentionHtmlBrowserTest {
  @Test
  void cellsRenderAndHoverShowsTheWeight() throws Exception {
    assertTrue(Files.isExecutable(HeadlessChromium.BINARY),
        HeadlessChromium.BINARY + " is missing: apt-get install -y chromium");
    GPT gpt = GPT.create(new GPTConfig(11, 8, 2, 3, 12, PositionalEncoding.LEARNED, true, true, 0.0), 3);
    Nd4j.getRandom().setSeed(4);
    gpt.parameters().forEach((name, p) -> p.addi(Nd4j.randn(p.dataType(), p.shape()).muli(0.5)));
    int[] ids = {1, 4, 2, 7, 2, 9, 0};
    List<String> tokens = List.of("the", "cat", "<sat>", "on", "&", "\"mat\"", "now");
    AttentionMaps maps = AttentionMaps.of(gpt, ids);
    Path dir = Path.of("target", "browser").toAbsolutePath();
    Files.createDirectories(dir);
    Path page = dir.resolve("attention-page.html");
    Files.writeString(page, AttentionHtml.page("Attention: a browser test", maps, tokens));

    try (HeadlessChromium chromium = HeadlessChromium.start(1400, 1000)) {
      chromium.open(page.toUri().toString());
      int T = ids.length;
      assertEquals(2 * 3 * T * T, chromium.evaluate("document.querySelectorAll('.cell').length").asInt());
      assertEquals(2 * 3 * T * (T - 1) / 2, chromium.evaluate("document.querySelectorAll('.cell.masked').length").asInt());
      // Cells are laid out (non-zero size) and coloured by weight: a strong cell is darker than a weak one.
      JsonNode sizes = chromium.evaluate("Array.from(document.querySelectorAll('.cell')).every(c => {"
          + " const r = c.getBoundingClientRect(); return r.width >= 20 && r.height >= 20; })");
      assertTrue(sizes.asBoolean(), "every cell has a size");
      assertEquals("<sat>", chromium.evaluate("document.querySelectorAll('.tok')[2].textContent").asText());

      // Hover the cell layer 1, head 2, query 5, key 3 with a real mouse move.
      int l = 1, h = 2, t = 5, s = 3;
      JsonNode rect = chromium.evaluate("(() => { const r = document.querySelector("
          + "'.cell[data-l=\"" + l + "\"][data-h=\"" + h + "\"][data-q=\"" + t + "\"][data-k=\"" + s + "\"]')"
          + ".getBoundingClientRect(); window.scrollTo(0, r.top - 200); const q = document.querySelector("
          + "'.cell[data-l=\"" + l + "\"][data-h=\"" + h + "\"][data-q=\"" + t + "\"][data-k=\"" + s + "\"]')"
          + ".getBoundingClientRect(); return {x: q.left + q.width / 2, y: q.top + q.height / 2}; })()");
      assertEquals("none", chromium.evaluate("getComputedStyle(document.getElementById('tooltip')).display").asText());
      chromium.moveMouse(rect.get("x").asDouble(), rect.get("y").asDouble());
      assertEquals("block", chromium.evaluate("getComputedStyle(document.getElementById('tooltip')).display").asText());
      String tooltip = chromium.evaluate("document.getElementById('tooltip').textContent").asText();
      double graph = gpt.outputs(GPT.idsArray(ids, 1, T), List.of(Names.attentionProbs(l)))
          .get(Names.attentionProbs(l)).getDouble(0, h, t, s);
      assertTrue(tooltip.contains("layer 1, head 2"), tooltip);
      assertTrue(tooltip.contains("query 5:\"mat\""), tooltip);
      assertTrue(tooltip.contains("key 3:on"), tooltip);
      assertTrue(tooltip.contains("weight " + String.format(Locale.ROOT, "%.4f", graph)), tooltip + " vs " + graph);

      // Click the token "now" (position 6): its row is highlighted in every map, and the strip shades by weight.
      JsonNode tok = chromium.evaluate("(() => { const r = document.querySelectorAll('.tok')[6].getBoundingClientRect();"
          + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
      chromium.click(tok.get("x").asDouble(), tok.get("y").asDouble());
      assertEquals(2 * 3 * (T + 1), chromium.evaluate("document.querySelectorAll('.rowsel').length").asInt());
      assertTrue(chromium.evaluate("document.querySelectorAll('.tok')[6].classList.contains('selected')").asBoolean());
      String[] stripTitles = chromium.evaluate("Array.from(document.querySelectorAll('.tok')).map(e => e.title).join('|')")
          .asText().split("\\|");
      double w00 = maps.weight(0, 0, 6, 0);
      assertTrue(stripTitles[0].endsWith(String.format(Locale.ROOT, "%.4f", w00)), Arrays.toString(stripTitles));

      chromium.moveMouse(rect.get("x").asDouble(), rect.get("y").asDouble()); // tooltip back on for the picture
      chromium.evaluate("window.scrollTo(0, 0)");
      byte[] png = chromium.screenshot();
      Files.write(dir.resolve("attention-page.png"), png);
      assertTrue(png.length > 10_000, "screenshot of " + png.length + " bytes");
    }
  }

  /** GPT-2's 12 × 12 heads: the focus table of all 144, one layer's maps at a time, another layer on a click. */
  @Test
  void twelveByTwelveHeadsShowOneLayerAtATime() throws Exception {
    assertTrue(Files.isExecutable(HeadlessChromium.BINARY),
        HeadlessChromium.BINARY + " is missing: apt-get install -y chromium");
    int T = 6;
    AttentionMaps maps = AttentionTerminalTest.randomMaps(12, 12, T, 5);
    List<String> tokens = List.of("The", "␣king", "␣sat", "␣by", "␣the", "␣queen");
    Path dir = Path.of("target", "browser").toAbsolutePath();
    Files.createDirectories(dir);
    Path page = dir.resolve("attention-page-12x12.html");
    Files.writeString(page, AttentionHtml.page("Attention: 12 layers of 12 heads", maps, tokens));
    int first = minitransformer.framework.analysis.HeadFocus.ranked(maps).get(0).layer();
    try (HeadlessChromium chromium = HeadlessChromium.start(1400, 1000)) {
      chromium.open(page.toUri().toString());
      assertEquals(144, chromium.evaluate("document.querySelectorAll('#focus .fcell').length").asInt());
      assertEquals(12, chromium.evaluate("document.querySelectorAll('.map').length").asInt());
      assertEquals(12 * T * T, chromium.evaluate("document.querySelectorAll('.cell[data-l=\"" + first + "\"]').length")
          .asInt());
      assertEquals(String.valueOf(first), chromium.evaluate("document.getElementById('layerpick').value").asText());
      int other = (first + 5) % 12;
      JsonNode cell = chromium.evaluate("(() => { const r = document.querySelector('.fcell[data-l=\"" + other
          + "\"][data-h=\"3\"]').getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
      chromium.click(cell.get("x").asDouble(), cell.get("y").asDouble());
      assertEquals(12 * T * T, chromium.evaluate("document.querySelectorAll('.cell[data-l=\"" + other + "\"]').length")
          .asInt());
      assertEquals(12, chromium.evaluate("document.querySelectorAll('.map').length").asInt());
      assertEquals(other + ",3", chromium.evaluate("document.getElementById('headpick').value").asText());
      assertEquals("␣queen", chromium.evaluate("document.querySelectorAll('.tok')[5].textContent").asText());
      chromium.evaluate("(() => { const p = document.getElementById('layerpick'); p.value = '-1';"
          + " p.dispatchEvent(new Event('change')); })()");
      assertEquals(144, chromium.evaluate("document.querySelectorAll('.map').length").asInt());
      Files.write(dir.resolve("attention-page-12x12.png"), chromium.screenshot());
    }
  }
}
