package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TokenizerSpecTest {

  @Test
  void kindMustBeCharWordOrBpe() {
    DataException e = assertThrows(DataException.class, () -> new TokenizerSpec("sentencepiece", false, 0, 1));
    assertEquals("data.tokenizer must be \"char\", \"word\" or \"bpe\", got \"sentencepiece\"", e.getMessage());
    DataException none = assertThrows(DataException.class, () -> new TokenizerSpec(null, false, 0, 1));
    assertEquals("data.tokenizer must be \"char\", \"word\" or \"bpe\", got nothing", none.getMessage());
  }

  @Test
  void bpeNeedsAVocabularySizeOfAtLeast256OrAMergesFile() {
    DataException none = assertThrows(DataException.class, () -> new TokenizerSpec("bpe", false, 0, 1));
    assertEquals("data.tokenizer: bpe needs data.vocab_size (e.g. 512) or data.merges (a file)", none.getMessage());
    DataException small = assertThrows(DataException.class, () -> TokenizerSpec.bpe(255));
    assertEquals("data.vocab_size must be at least 256 (the byte values), got 255", small.getMessage());
    assertEquals(256, TokenizerSpec.bpe(256).vocabSize());
    assertEquals(0, TokenizerSpec.bpe(java.nio.file.Path.of("merges.txt"), 0).vocabSize());
  }

  @Test
  void maxVocabMustBeZeroOrAtLeastTwo() {
    DataException negative = assertThrows(DataException.class, () -> TokenizerSpec.words(true, -5, 1));
    assertEquals("data.max_vocab must be 0 (no limit) or at least 2 (<unk> and one word), got -5",
        negative.getMessage());
    DataException one = assertThrows(DataException.class, () -> TokenizerSpec.words(true, 1, 1));
    assertEquals("data.max_vocab must be 0 (no limit) or at least 2 (<unk> and one word), got 1", one.getMessage());
  }

  @Test
  void minCountMustBePositive() {
    DataException e = assertThrows(DataException.class, () -> TokenizerSpec.words(false, 0, 0));
    assertEquals("data.min_count must be at least 1, got 0", e.getMessage());
  }

  @Test
  void validValuesAreKept() {
    TokenizerSpec spec = TokenizerSpec.words(true, 500, 2);
    assertEquals(new TokenizerSpec("word", true, 500, 2), spec);
    assertEquals("char", TokenizerSpec.chars().kind());
  }
}
