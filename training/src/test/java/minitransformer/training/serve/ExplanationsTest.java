package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.analysis.AttentionExplanation;
import minitransformer.framework.analysis.HeadSelection;
import org.junit.jupiter.api.Test;

/** /api/explain's fields of the block options: rope's angles and rotated q and k, the key/value head, QK-norm. */
class ExplanationsTest {
  @Test
  void ropeGroupedQueryAndQkNormStepsAreInTheJson() {
    GPTConfig config = new GPTConfig(11, 8, 2, 4, 16, PositionalEncoding.ROPE, false, true, 0.0,
        NormKind.RMSNORM, 1e-6, MlpKind.SWIGLU, 0, 2, true, 0.0, 10000.0);
    int[] ids = {3, 1, 4, 1, 5};
    AttentionExplanation e = AttentionExplanation.of(GPT.create(config, 7), ids, 1, 4);
    JsonNode block = Explanations.json(e, new HeadSelection(1, 3));
    assertEquals(2, block.get("kv_heads").asInt());
    assertEquals(true, block.get("qk_norm").asBoolean());
    assertEquals(2, block.get("rope_angles").size());
    assertEquals(4.0, block.get("rope_angles").get(0).asDouble(), 1e-12);
    JsonNode head = block.get("heads").get(0);
    AttentionExplanation.Head h = e.heads().get(3);
    assertEquals(1, head.get("kv_head").asInt());
    assertEquals(h.queryRotated()[1], head.get("query_rotated").get(1).asDouble(), 0.0);
    assertEquals(h.keysProjected()[2][0], head.get("keys_before_rotation").get(2).get(0).asDouble(), 0.0);
    assertEquals(h.projectedDots()[4], head.get("dots_before_rotation").get(4).asDouble(), 0.0);
    assertEquals(5, head.get("key_norms_before_qk_norm").size());
    assertEquals(2.0, head.get("key_norms").get(0).asDouble(), 1e-2); // rms 1 over hs 4, ε keeps small k just under
  }
}
