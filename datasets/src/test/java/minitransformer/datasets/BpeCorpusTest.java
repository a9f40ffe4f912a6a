package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A BPE corpus: merges from the train split only, and the bytes each split covers (for bits per byte). */
class BpeCorpusTest {

  private static String context() throws Exception {
    return Files.readString(TestFiles.findUp("datasets/corpus/context.txt").orElseThrow(), StandardCharsets.UTF_8);
  }

  @Test
  void mergesAreLearnedFromTheTrainSplitOnly(@TempDir Path dir) throws Exception {
    String train = context().substring(0, 9_000);
    String validation = "zyzzyva ".repeat(125); // 1,000 characters found only in the validation split
    Path file = dir.resolve("corpus.txt");
    Files.writeString(file, train + validation, StandardCharsets.UTF_8);
    Corpus corpus = Corpus.load(file, TokenizerSpec.bpe(400), 0.9, 8);

    BpeTokenizer bpe = (BpeTokenizer) corpus.tokenizer();
    assertEquals(BpeTrainer.train(train, 400, SplitPattern.DEFAULT), bpe, "learned from exactly the first 90%");
    for (int id = BpeTokenizer.BYTES; id < bpe.vocabSize(); id++) {
      String token = new String(bpe.tokenBytes(id), StandardCharsets.ISO_8859_1);
      assertFalse(token.contains("zy") || token.contains("zz") || token.contains("yv"),
          "token " + id + " \"" + token + "\" comes from validation text");
    }
    BpeTokenizer leaky = BpeTrainer.train(train + validation, 400, SplitPattern.DEFAULT);
    assertTrue(leaky.id(" zyzzyva").isPresent(), "the check above could fail: the whole text makes \" zyzzyva\"");

    assertArrayEquals(bpe.encode(train), corpus.train());
    assertArrayEquals(bpe.encode(validation), corpus.validation());
    assertEquals(9_000, corpus.trainBytes());
    assertEquals(1_000, corpus.validationBytes());
  }

  @Test
  void aResumedRunSplitsTheSameWayWithItsSavedTokenizer(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("corpus.txt");
    Files.writeString(file, context().substring(0, 20_000) + "naïve 😀 end\n", StandardCharsets.UTF_8);
    Corpus fresh = Corpus.load(file, TokenizerSpec.bpe(300), 0.8, 16);
    Corpus resumed = Corpus.load(file, Tokenizers.fromJson(Tokenizers.toJson(fresh.tokenizer())), 0.8, 16);
    assertArrayEquals(fresh.train(), resumed.train());
    assertArrayEquals(fresh.validation(), resumed.validation());
    assertEquals(Files.size(file), fresh.trainBytes() + fresh.validationBytes());

    Path merges = dir.resolve("tokenizer.json"); // data.merges: the same merges from a file
    Tokenizers.save(fresh.tokenizer(), merges);
    Corpus fromFile = Corpus.load(file, TokenizerSpec.bpe(merges, 0), 0.8, 16);
    assertEquals(fresh.tokenizer(), fromFile.tokenizer());
    assertArrayEquals(fresh.validation(), fromFile.validation());
  }

  @Test
  void everySplitKnowsTheBytesItCovers(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("corpus.txt");
    String text = "Héllo wörld, the 😀 cat sat.\nOn the mat!\n".repeat(40);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    long bytes = Files.size(file);
    for (TokenizerSpec spec : new TokenizerSpec[] {TokenizerSpec.chars(), TokenizerSpec.words(false, 0, 1),
        TokenizerSpec.bpe(280)}) {
      Corpus corpus = Corpus.load(file, spec, 0.9, 8);
      assertEquals(bytes, corpus.trainBytes() + corpus.validationBytes(), spec.kind());
    }
    Corpus chars = Corpus.load(file, TokenizerSpec.chars(), 0.9, 8);
    int[] validation = chars.validation();
    assertEquals(chars.tokenizer().decode(validation).getBytes(StandardCharsets.UTF_8).length, chars.validationBytes());

    Path ascii = dir.resolve("ascii.txt");
    Files.writeString(ascii, "the cat sat on the mat.\n".repeat(20), StandardCharsets.US_ASCII);
    Corpus asciiChars = Corpus.load(ascii, TokenizerSpec.chars(), 0.9, 8);
    assertEquals(asciiChars.trainSize(), asciiChars.trainBytes(), "one byte per ASCII character");
    assertEquals(asciiChars.validationSize(), asciiChars.validationBytes());
    Corpus words = Corpus.load(ascii, TokenizerSpec.words(false, 0, 1), 0.9, 8);
    // 8 tokens (the cat sat on the mat . \n) per line of 24 bytes: 144 train tokens are 18 whole lines
    assertEquals(144, words.trainSize());
    assertEquals(18 * 24, words.trainBytes());
    assertEquals(2 * 24, words.validationBytes());
  }

  @Test
  void tinyShakespeareWithAThousandMerges() {
    Optional<Path> file = TestFiles.tinyShakespeare();
    assumeTrue(file.isPresent(), "shared/datasets/tinyshakespeare.txt not found above " + Path.of("").toAbsolutePath());
    String text = Corpus.readUtf8(file.get());
    long start = System.nanoTime();
    Corpus corpus = Corpus.load(file.get(), TokenizerSpec.bpe(1256), 0.9, 64);
    double seconds = (System.nanoTime() - start) / 1e9;
    BpeTokenizer bpe = (BpeTokenizer) corpus.tokenizer();
    assertEquals(1256, bpe.vocabSize());
    assertEquals(text, bpe.decode(bpe.encode(text)), "the whole corpus round-trips");
    double tokensPerByte = (corpus.trainSize() + corpus.validationSize())
        / (double) (corpus.trainBytes() + corpus.validationBytes());
    System.out.printf("tinyshakespeare bpe 1256: train %d / validation %d tokens, %.4f tokens per byte,"
        + " learn + encode %.2f s (machine shared)%n", corpus.trainSize(), corpus.validationSize(), tokensPerByte, seconds);
    assertEquals(1_115_394, corpus.trainBytes() + corpus.validationBytes());
    assertTrue(tokensPerByte < 0.4, "1,000 merges leave fewer than 0.4 tokens per byte: " + tokensPerByte);
  }
}
