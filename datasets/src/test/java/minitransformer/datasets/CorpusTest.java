package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static String message(Runnable load) {
    DataException e = assertThrows(DataException.class, load::run);
    assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void splitsTheFirstNinetyPercentOfTokensForTraining() throws Exception {
    String text = "abcdefghij".repeat(10) + "xyz"; // 103 characters
    Corpus corpus = Corpus.load(write("c.txt", text), TokenizerSpec.chars(), 0.9, 8);
    assertEquals(92, corpus.trainSize(), "floor(0.9 * 103)");
    assertEquals(11, corpus.validationSize());
    int[] all = corpus.tokenizer().encode(text);
    int[] joined = new int[all.length];
    System.arraycopy(corpus.train(), 0, joined, 0, 92);
    System.arraycopy(corpus.validation(), 0, joined, 92, 11);
    assertArrayEquals(all, joined, "train then validation is the whole text in order");
    assertEquals(text, corpus.tokenizer().decode(joined));
  }

  @Test
  void wordLevelSplitsWordTokens() throws Exception {
    String text = "the apple pie.\nthe bank loan.\n".repeat(20); // 10 tokens a repeat, 200 in all
    Corpus corpus = Corpus.load(write("w.txt", text), TokenizerSpec.words(true, 0, 1), 0.9, 16);
    assertEquals(180, corpus.trainSize());
    assertEquals(20, corpus.validationSize());
    assertEquals("word", corpus.tokenizer().kind());
    assertEquals(8, corpus.tokenizer().vocabSize(), "<unk> + the apple pie . \\n bank loan");
  }

  @Test
  void isImmutable() throws Exception {
    Corpus corpus = Corpus.load(write("c.txt", "abcdefghij".repeat(10)), TokenizerSpec.chars(), 0.9, 8);
    int[] train = corpus.train();
    train[0] = 99;
    assertEquals(0, corpus.train()[0], "changing a returned array does not change the corpus");
  }

  @Test
  void aGivenTokenizerIsUsedAndAnUnknownCharacterNamesTheFile() throws Exception {
    Tokenizer tok = CharTokenizer.fit("abc");
    Path file = write("c.txt", "abc".repeat(20));
    assertEquals(tok, Corpus.load(file, tok, 0.9, 4).tokenizer());
    Path other = write("d.txt", "abc".repeat(20) + "Z");
    assertEquals(other + ": character 'Z' (U+005A) is not in the vocabulary (line 1, column 61)",
        message(() -> Corpus.load(other, tok, 0.9, 4)));
  }

  @Test
  void missingFile() {
    Path file = dir.resolve("nope.txt");
    assertEquals("corpus file " + file + " does not exist",
        message(() -> Corpus.load(file, TokenizerSpec.chars(), 0.9, 8)));
  }

  @Test
  void directory() {
    assertEquals("corpus file " + dir + " is a directory, not a text file",
        message(() -> Corpus.load(dir, TokenizerSpec.chars(), 0.9, 8)));
  }

  @Test
  void emptyFile() throws Exception {
    Path file = write("empty.txt", "");
    assertEquals("corpus file " + file + " is empty", message(() -> Corpus.load(file, TokenizerSpec.chars(), 0.9, 8)));
  }

  @Test
  void unreadableFile() throws Exception {
    Path file = write("secret.txt", "abcdefghij".repeat(10));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(file), "the tests run as a user (root) who can read a file without permission");
    assertEquals("corpus file " + file + " cannot be read: permission denied",
        message(() -> Corpus.load(file, TokenizerSpec.chars(), 0.9, 8)));
  }

  @Test
  void nonUtf8BytesAreAnErrorWithTheirOffset() throws Exception {
    byte[] bytes = "caf\u00e9 ok".getBytes(StandardCharsets.ISO_8859_1); // é as the single byte 0xE9
    Path file = Files.write(dir.resolve("latin1.txt"), bytes);
    assertEquals("corpus file " + file + " is not valid UTF-8: malformed byte sequence at byte offset 3 (byte 0xE9)",
        message(() -> Corpus.load(file, TokenizerSpec.chars(), 0.9, 2)));
    Path truncated = Files.write(dir.resolve("cut.txt"), new byte[] {'a', 'b', (byte) 0xE2, (byte) 0x82});
    assertTrue(message(() -> Corpus.load(truncated, TokenizerSpec.chars(), 0.5, 1)).endsWith("at byte offset 2 (byte 0xE2)"));
  }

  @Test
  void aLeadingByteOrderMarkIsNotText() throws Exception {
    Path file = write("bom.txt", "\uFEFF" + "ab".repeat(20));
    assertEquals(2, Corpus.load(file, TokenizerSpec.chars(), 0.9, 2).tokenizer().vocabSize());
  }

  @Test
  void eachSplitMustHoldOneBlockPlusOne() throws Exception {
    Path file = write("short.txt", "abcdefghij".repeat(10)); // 90 train, 10 validation characters
    assertEquals(file + " is too short: its validation split has 10 char tokens (of 100 in all), "
        + "fewer than block size + 1 = 11", message(() -> Corpus.load(file, TokenizerSpec.chars(), 0.9, 10)));
    Corpus.load(file, TokenizerSpec.chars(), 0.9, 9); // exactly block size + 1: fine
    assertEquals(file + " is too short: its train split has 10 char tokens (of 100 in all), "
        + "fewer than block size + 1 = 33", message(() -> Corpus.load(file, TokenizerSpec.chars(), 0.1, 32)));
    Path blank = write("blank.txt", " \n\t\n");
    assertTrue(message(() -> Corpus.load(blank, TokenizerSpec.words(false, 0, 1), 0.5, 1))
        .contains("train split has 1 word tokens"));
  }

  @Test
  void aVocabularyOfOneTokenIsAnErrorNamingTheFileAndTheCause() throws Exception {
    // Every word rarer than min_count used to reach the model as a vocabulary of 1 and crash SameDiff.
    Path words = write("rare.txt", "the apple pie.\nthe bank loan.\n".repeat(20));
    assertEquals(words + " gives a vocabulary of 1 token (only <unk>: no word occurs at least data.min_count = 1000"
        + " times); a language model needs at least 2",
        message(() -> Corpus.load(words, TokenizerSpec.words(true, 0, 1000), 0.9, 8)));
    Path chars = write("same.txt", "a".repeat(100));
    assertTrue(message(() -> Corpus.load(chars, TokenizerSpec.chars(), 0.9, 8))
        .startsWith(chars + " gives a vocabulary of 1 token (only the character 'a'"));
    assertEquals(2, Corpus.load(write("two.txt", "ab".repeat(50)), TokenizerSpec.chars(), 0.9, 8)
        .tokenizer().vocabSize(), "two tokens are enough");
  }

  @Test
  void trainFractionMustBeStrictlyBetweenZeroAndOne() throws Exception {
    Path file = write("c.txt", "abcdefghij".repeat(10));
    for (double bad : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
      assertEquals("data.train_fraction must be between 0 and 1 (both excluded), got " + bad,
          message(() -> Corpus.load(file, TokenizerSpec.chars(), bad, 4)));
    }
  }
}
