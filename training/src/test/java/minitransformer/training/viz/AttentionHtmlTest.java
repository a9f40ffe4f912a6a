package minitransformer.training.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadFocus;
import org.junit.jupiter.api.Test;

/** The page's data: every head's focus, and which layer it draws first (every layer only for a small model). */
class AttentionHtmlTest {
  @Test
  void aPageOf144HeadsStartsAtTheLayerOfTheMostFocusedHead() throws Exception {
    AttentionMaps maps = AttentionTerminalTest.randomMaps(12, 12, 5, 9);
    JsonNode data = data(AttentionHtml.page("t", maps, List.of("a", "␣b", "␣c", "␣d", "␣e")));
    assertEquals(HeadFocus.ranked(maps).get(0).layer(), data.get("first_layer").asInt());
    assertEquals(12, data.get("focus").size());
    for (HeadFocus f : HeadFocus.of(maps)) {
      assertEquals(f.focus(), data.get("focus").get(f.layer()).get(f.head()).asDouble(), 1e-12);
    }
    assertEquals("␣b", data.get("tokens").get(1).asText());
  }

  @Test
  void aSmallModelDrawsEveryLayer() throws Exception {
    JsonNode data = data(AttentionHtml.page("t", AttentionTerminalTest.randomMaps(2, 4, 5, 9), List.of("a", "b", "c", "d", "e")));
    assertEquals(-1, data.get("first_layer").asInt());
  }

  private static JsonNode data(String page) throws Exception {
    String start = "<script type=\"application/json\" id=\"attention-data\">";
    int from = page.indexOf(start) + start.length();
    return new ObjectMapper().readTree(page.substring(from, page.indexOf("</script>", from)).replace("<\\/", "</"));
  }
}
