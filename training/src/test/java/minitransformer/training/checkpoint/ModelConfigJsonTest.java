package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;

class ModelConfigJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void normEpsRoundTripsAndIsTheOldDefaultWhenAbsent() {
    GPTConfig gpt2 = new GPTConfig(50, 16, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0)
        .withNorm(NormKind.LAYERNORM, 1e-6);
    ObjectNode node = JSON.createObjectNode();
    ModelConfigJson.write(gpt2, node);
    assertEquals(1e-6, node.get("norm_eps").doubleValue());
    assertEquals(gpt2, ModelConfigJson.read(node, "meta.json"));

    node.remove("norm_eps"); // a document saved before the key existed
    assertEquals(1e-5, ModelConfigJson.read(node, "meta.json").normEps());
  }
}
