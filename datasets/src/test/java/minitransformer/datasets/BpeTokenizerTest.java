package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTokenizerTest {
  private static final String CORPUS = "datasets/corpus/context.txt";

  private static String contextCorpus() throws Exception {
    return Files.readString(TestFiles.findUp(CORPUS).orElseThrow(), StandardCharsets.UTF_8);
  }

  @Test
  void textbookExampleMergesAaThenAbByTheTieRule() {
    // aaabdaaabac: aa occurs 4 times. Then ab and (aa)a both occur twice; the tie goes to the smaller
    // left id, a = 97 before aa = 256, so ab; then (aa)(ab) occurs twice and beats every single pair.
    BpeTokenizer bpe = BpeTrainer.train("aaabdaaabac", 259, SplitPattern.GPT4);
    List<int[]> merges = bpe.merges();
    assertEquals(3, merges.size());
    assertArrayEquals(new int[] {'a', 'a'}, merges.get(0));
    assertArrayEquals(new int[] {'a', 'b'}, merges.get(1));
    assertArrayEquals(new int[] {256, 257}, merges.get(2));
    assertEquals("aaab", bpe.token(258));
    assertArrayEquals(new int[] {258, 'd', 258, 'a', 'c'}, bpe.encode("aaabdaaabac"));
  }

  @Test
  void tiesBetweenEqualLeftIdsGoToTheSmallerRightId() {
    // " xa" and " xc" twice each: " x" (4 times) first, then " x"+a and " x"+c tie at 2; a = 97 < c = 99.
    BpeTokenizer bpe = BpeTrainer.train(" xa xc xa xc", 258, SplitPattern.GPT4);
    assertArrayEquals(new int[] {' ', 'x'}, bpe.merges().get(0));
    assertArrayEquals(new int[] {256, 'a'}, bpe.merges().get(1));
  }

  @Test
  void incrementalCountingLearnsWhatRecountingEveryMergeLearns() throws Exception {
    String text = contextCorpus().substring(0, 20_000) + " 😀😀 日本語 日本 e\u0301e\u0301 \u0000\u0000 12345 1234";
    BpeTokenizer fast = BpeTrainer.train(text, 456, SplitPattern.GPT4);
    List<int[]> slow = NaiveBpe.train(text, 456 - 256, SplitPattern.GPT4);
    assertEquals(slow.size(), fast.merges().size());
    for (int i = 0; i < slow.size(); i++) {
      assertArrayEquals(slow.get(i), fast.merges().get(i), "merge " + i);
    }
  }

  @Test
  void encodingReplaysTheMergesInOrder() throws Exception {
    String text = contextCorpus();
    BpeTokenizer bpe = BpeTrainer.train(text.substring(0, 30_000), 600, SplitPattern.GPT4);
    String probe = text.substring(30_000, 40_000) + " naïve façade 😀 ∑x² \t\t\n\n  end";
    assertArrayEquals(NaiveBpe.encode(bpe, probe), bpe.encode(probe));
  }

  @Test
  void learningTwiceGivesTheSameMerges() throws Exception {
    String text = contextCorpus();
    BpeTokenizer a = BpeTrainer.train(text, 512, SplitPattern.GPT4);
    BpeTokenizer b = BpeTrainer.train(text, 512, SplitPattern.GPT4);
    assertEquals(512, a.vocabSize());
    assertEquals(a, b);
    assertEquals(Tokenizers.toJson(a), Tokenizers.toJson(b));
  }

  @Test
  void roundTripsTheCorpusRandomUnicodeAndTheEmptyString() throws Exception {
    String text = contextCorpus();
    BpeTokenizer bpe = BpeTrainer.train(text, 512, SplitPattern.GPT4);
    int[] ids = bpe.encode(text);
    assertEquals(text, bpe.decode(ids));
    assertTrue(ids.length < text.length() / 2, "merges shorten the corpus: " + ids.length + " tokens");
    assertArrayEquals(new int[0], bpe.encode(""));
    assertEquals("", bpe.decode(new int[0]));
    Random random = new Random(14);
    int[][] ranges = {{0x0, 0x7F}, {0x300, 0x36F}, {0x4E00, 0x9FFF}, {0x1F600, 0x1F64F}, {0x80, 0x7FF}, {0xE000, 0xFFFF},
        {0x10000, 0x10FFFF}};
    for (int trial = 0; trial < 300; trial++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        int r = random.nextInt(ranges.length + 2);
        if (r == ranges.length) {
          s.append('\n');
        } else if (r == ranges.length + 1) {
          s.append('\u0000');
        } else {
          int cp = ranges[r][0] + random.nextInt(ranges[r][1] - ranges[r][0] + 1);
          if (Character.getType(cp) == Character.SURROGATE) {
            cp = 'x';
          }
          s.appendCodePoint(cp);
        }
      }
      String sample = s.toString();
      assertEquals(sample, bpe.decode(bpe.encode(sample)), "round trip of " + sample.codePoints().boxed().toList());
    }
  }

  @Test
  void aStreamHoldsBackAnUnfinishedCharacterAndNeverShowsAReplacement() {
    BpeTokenizer bpe = new BpeTokenizer(SplitPattern.GPT4, List.of()); // bytes only: every character splits
    String text = "a😀 – 日本\n";
    StreamingDecoder stream = bpe.streamingDecoder();
    StringBuilder shown = new StringBuilder();
    List<String> pieces = new ArrayList<>();
    for (int id : bpe.encode(text)) {
      String piece = stream.push(id);
      assertFalse(piece.contains("\uFFFD"), "a piece shows U+FFFD: " + pieces);
      pieces.add(piece);
      shown.append(piece);
    }
    shown.append(stream.finish());
    assertEquals(text, shown.toString());
    assertEquals("", pieces.get(1), "the first byte of 😀 is held back");
    assertEquals("😀", pieces.get(4), "the fourth completes it");

    StreamingDecoder cut = bpe.streamingDecoder();
    assertEquals("", cut.push(0xE2));
    assertEquals("\uFFFD", cut.finish(), "an end inside a character is shown as U+FFFD only when it is final");
    assertEquals("\uFFFDA", bpe.decode(new int[] {0xE2, 'A'}));
  }

  @Test
  void tokensShowPartialCharactersAsHexBytes() {
    // "–" is E2 80 93. (E2,80) and (80,93) both occur 4 times; 0x80 < 0xE2, so (80,93) merges first.
    BpeTokenizer bpe = BpeTrainer.train("– – – – a", 258, SplitPattern.GPT4);
    assertEquals("<0xE2>", bpe.token(0xE2));
    assertEquals("<0x80><0x93>", bpe.token(256));
    assertEquals("–", bpe.token(257));
    assertArrayEquals(new byte[] {(byte) 0xE2, (byte) 0x80, (byte) 0x93}, bpe.tokenBytes(257));
    assertEquals(257, bpe.id("–").getAsInt());
    assertTrue(bpe.id(" –").isEmpty());
    assertEquals(' ', bpe.id(" ").getAsInt());
    BpeTokenizer spaceDash = new BpeTokenizer(SplitPattern.GPT4, List.of(new int[] {' ', 0xE2}));
    assertEquals(" <0xE2>", spaceDash.token(256));
  }

  @Test
  void savingAndLoadingGivesTheSameIds(@TempDir Path dir) throws Exception {
    String text = contextCorpus();
    BpeTokenizer bpe = BpeTrainer.train(text, 400, SplitPattern.GPT4);
    Path file = dir.resolve("tokenizer.json");
    Tokenizers.save(bpe, file);
    Tokenizer back = Tokenizers.load(file);
    assertInstanceOf(BpeTokenizer.class, back);
    assertEquals(bpe, back);
    assertArrayEquals(bpe.encode(text), back.encode(text));
    assertEquals(Tokenizers.toJson(bpe), Tokenizers.toJson(back));
    String json = Files.readString(file);
    assertTrue(json.contains("\"kind\" : \"bpe\""), json.substring(0, 200));
    assertTrue(json.contains("\"pattern\" : \"'(?i:[sdmt]|ll|ve|re)"), json.substring(0, 200));

    BpeTokenizer fromFile = MergesFile.load(file, 300); // data.merges: the first 44 merges
    assertEquals(300, fromFile.vocabSize());
    assertEquals(pairs(bpe.merges()).subList(0, 44), pairs(fromFile.merges()));
    DataException tooMany = assertThrows(DataException.class, () -> MergesFile.load(file, 401));
    assertTrue(tooMany.getMessage().contains("has 144 merges"), tooMany.getMessage());
  }

  @Test
  void damagedDocumentsAreRejectedWithAReason() {
    String good = Tokenizers.toJson(BpeTrainer.train("aaabdaaabac", 259, SplitPattern.GPT4));
    List<List<String>> cases = List.of(
        List.of(good.replace("[ 256, 257 ]", "[ 256, 258 ]"), "merge 2 must join two ids below 258"),
        List.of(good.replace("[ 97, 98 ]", "[ 97, 97 ]"), "repeats merge 0"),
        List.of(good.replace("\"aaab\"", "\"aab\""), "\"vocab\" entry 2 is \"aab\" but merge 2 makes \"aaab\""),
        List.of(good.replace("\"pattern\" : \"", "\"pattern\" : \"(("), "not a valid regular expression"),
        List.of(good.replace("\"merges\"", "\"merge\""), "unknown field \"merge\""));
    for (List<String> c : cases) {
      assertTrue(!c.get(0).equals(good), "the case changes the document: " + c.get(1));
      DataException e = assertThrows(DataException.class, () -> Tokenizers.fromJson(c.get(0)));
      assertTrue(e.getMessage().contains(c.get(1)), e.getMessage());
    }
  }

  @Test
  void readsGpt2MergesTxt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("merges.txt");
    Files.writeString(file, "#version: 0.2\nĠ t\nh e\nĠt he\nâ Ģ\n", StandardCharsets.UTF_8);
    BpeTokenizer bpe = MergesFile.load(file, 0);
    assertEquals(SplitPattern.GPT2, bpe.pattern());
    assertEquals(260, bpe.vocabSize());
    assertEquals(" the", bpe.token(258));
    assertEquals("<0xE2><0x80>", bpe.token(259), "â is byte E2, Ģ is byte 80 in GPT-2's alphabet");
    assertArrayEquals(new int[] {258, ' ', 257, 'n'}, bpe.encode(" the hen"));
    assertEquals(" the hen", bpe.decode(bpe.encode(" the hen")));
    Files.writeString(file, "Ġ t\nnot-two-tokens\n");
    DataException notTwo = assertThrows(DataException.class, () -> MergesFile.load(file, 0));
    assertTrue(notTwo.getMessage().contains("line 2 is not two tokens"), notTwo.getMessage());
    Files.writeString(file, "Ġ t\nĠt zz\n");
    DataException unknown = assertThrows(DataException.class, () -> MergesFile.load(file, 0));
    assertTrue(unknown.getMessage().contains("line 2: token \"zz\" is neither a byte nor made by an earlier merge"),
        unknown.getMessage());
  }

  private static List<List<Integer>> pairs(List<int[]> merges) {
    return merges.stream().map(m -> List.of(m[0], m[1])).toList();
  }
}
