package minitransformer.training.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import org.junit.jupiter.api.Test;

class PromptTest {
  private static final GPTConfig BLOCK_4 = new GPTConfig(11, 4, 1, 1, 8, PositionalEncoding.LEARNED, true, true, 0);

  @Test
  void aPromptThatFitsIsReadWholeWithoutAWarning() {
    Prompt p = Prompt.of(new int[] {1, 2, 3}, BLOCK_4);
    assertArrayEquals(new int[] {1, 2, 3}, p.context());
    assertTrue(p.warning().isEmpty());
  }

  @Test
  void aLongerPromptIsReadAsItsLastBlockSizeTokensAndSaysSo() {
    Prompt p = Prompt.of(new int[] {1, 2, 3, 4, 5, 6}, BLOCK_4);
    assertEquals(6, p.tokens());
    assertArrayEquals(new int[] {3, 4, 5, 6}, p.context());
    assertEquals("warning: the prompt has 6 tokens, more than block_size 4; the model reads its last 4",
        p.warning().orElseThrow());
  }
}
