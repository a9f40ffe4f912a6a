package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import minitransformer.framework.GPT;
import minitransformer.framework.analysis.RawScores;
import org.junit.jupiter.api.Test;

/** {@code attention --raw-scores} and {@code predict --temperature/--top-k/--top-p}: the numbers the server shares. */
class RawScoresAndDrawOptionsTest {
  @Test
  void rawScoresPrintsAAndItsTransposeAndTheAsymmetry() throws Exception {
    String run = TinyTrainedModel.run().toString();
    CliRun r = CliRun.of("attention", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--raw-scores",
        "--layer", "1", "--head", "0");
    assertEquals(0, r.exit(), r.err());
    GPT gpt = TinyTrainedModel.model();
    int[] ids = TinyTrainedModel.tokenizer().encode(TinyTrainedModel.PROMPT);
    RawScores raw = RawScores.of(gpt, ids, 1);
    assertTrue(r.out().contains(String.format(Locale.ROOT, "block 1, head 0: asymmetry ‖A − Aᵀ‖ / ‖A‖ = %.4f",
        raw.asymmetry(0))), r.out());
    assertTrue(!r.out().contains("head 1:"), "only --head 0");
    String[] lines = r.out().split("\n");
    int a = java.util.Arrays.asList(lines).indexOf("A = q·kᵀ");
    int at = java.util.Arrays.asList(lines).indexOf("Aᵀ");
    // Row 2 of A, entry 5 (a masked pair: key after query) and row 5 of Aᵀ entry 2 are the same number.
    String rowA = lines[a + 2 + 2];
    String rowAt = lines[at + 2 + 5];
    assertTrue(rowA.contains(String.format(Locale.ROOT, "%8.3f", raw.matrix(0)[2][5])), rowA);
    assertEquals(rowA.trim().split("\\s+")[2 + 5], rowAt.trim().split("\\s+")[2 + 2]);
    CliRun.of("attention", "--checkpoint", run, "--prompt", "the apple", "--raw-scores", "--explain")
        .assertOneErrorLine("--raw-scores");
  }

  @Test
  void predictShowsTheDrawProbabilitiesOfSample() throws Exception {
    String run = TinyTrainedModel.run().toString();
    CliRun plain = CliRun.of("predict", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--json");
    CliRun greedy = CliRun.of("predict", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--json",
        "--temperature", "0");
    ObjectMapper json = new ObjectMapper();
    JsonNode p = json.readTree(plain.out()).get("predictions");
    JsonNode g = json.readTree(greedy.out()).get("predictions");
    for (int i = 0; i < p.size(); i++) {
      assertEquals(p.get(i).get("probability").asDouble(), p.get(i).get("sampling_probability").asDouble(), 1e-12,
          "temperature 1, no filter: what the model says");
      assertEquals(p.get(i).get("probability").asDouble(), g.get(i).get("probability").asDouble(), 0.0);
      assertEquals(i == 0 ? 1.0 : 0.0, g.get(i).get("sampling_probability").asDouble(), 0.0, "greedy");
    }
    CliRun table = CliRun.of("predict", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--top-k", "2");
    assertTrue(table.out().contains("draw p"), table.out());
    CliRun.of("predict", "--checkpoint", run, "--prompt", "the apple", "--top-p", "0").assertOneErrorLine("--top-p (0.0)");
    CliRun.of("predict", "--checkpoint", run, "--prompt", "the apple", "--temperature", "-1")
        .assertOneErrorLine("--temperature (-1.0)");
  }
}
