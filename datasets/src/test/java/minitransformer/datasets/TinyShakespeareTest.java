package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The figures nanoGPT's {@code shakespeare_char/prepare.py} prints, and this project's word-level ones. */
class TinyShakespeareTest {

  private static Path file() {
    Optional<Path> file = TestFiles.tinyShakespeare();
    assumeTrue(file.isPresent(),
        "shared/datasets/tinyshakespeare.txt not found above " + Path.of("").toAbsolutePath());
    return file.get();
  }

  @Test
  void charLevelMatchesNanoGpt() {
    Corpus corpus = Corpus.load(file(), TokenizerSpec.chars(), 0.9, 256);
    assertEquals(65, corpus.tokenizer().vocabSize());
    assertEquals(1_003_854, corpus.trainSize());
    assertEquals(111_540, corpus.validationSize());
  }

  @Test
  void wordLevelFigures() {
    int[][] expected = { // lowercase?, maxVocab, minCount -> vocab, train, validation, <unk> in train
        {0, 0, 1, 14_299, 264_233, 29_360, 0},
        {1, 0, 1, 12_386, 264_233, 29_360, 0},
        {1, 0, 2, 6_865, 264_233, 29_360, 4_924},
        {1, 4096, 1, 4_096, 264_233, 29_360, 10_684},
    };
    for (int[] row : expected) {
      Corpus corpus = Corpus.load(file(), TokenizerSpec.words(row[0] == 1, row[1], row[2]), 0.9, 64);
      int unk = 0;
      for (int id : corpus.train()) {
        unk += id == WordTokenizer.UNK_ID ? 1 : 0;
      }
      System.out.printf("word lowercase=%b maxVocab=%d minCount=%d: vocab %d, train %d, validation %d, <unk> in train %d%n",
          row[0] == 1, row[1], row[2], corpus.tokenizer().vocabSize(), corpus.trainSize(), corpus.validationSize(), unk);
      assertEquals(row[3], corpus.tokenizer().vocabSize(), "vocabulary");
      assertEquals(row[4], corpus.trainSize(), "train tokens");
      assertEquals(row[5], corpus.validationSize(), "validation tokens");
      assertEquals(row[6], unk, "<unk> in train");
    }
  }
}
