package minitransformer.training.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyTest {
  @Test
  void anOverrideSetsTheKeyItNames() {
    assertEquals("run.name=tiny-2", Schema.NAME.setTo("tiny-2"));
    assertTrue(Schema.NAME.isSetBy("run.name=x"));
    assertFalse(Schema.NAME.isSetBy("run.name_x=1"), "another key that begins alike");
    assertFalse(Schema.NAME.isSetBy("data.name=x"));
  }

  @Test
  void anOverrideItBuildsIsRead() {
    Config c = ConfigLoader.fromYaml("data:\n  path: corpus.txt\n", "test.yaml", java.nio.file.Path.of("."), "run",
        List.of(Schema.NAME.setTo("renamed"), Schema.MAX_ITERS.setTo(700)));
    assertEquals("renamed", c.run().name());
    assertEquals(700, c.training().maxIters());
  }
}
