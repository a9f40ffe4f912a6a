package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {

  @Test
  void wordsAndPunctuationMarksAreSeparateTokens() {
    assertEquals(List.of("Hello", ",", "world", "!", "(", "really", ")", "?"),
        WordTokenizer.split("Hello, world! (really)?", false));
    assertEquals(List.of("sir", "-", "-", "no", ";", "well", "-", "known", ":", "3", ".", "5", "%"),
        WordTokenizer.split("sir--no; well-known: 3.5%", false));
  }

  @Test
  void apostrophesInsideAWordKeepItWhole() {
    assertEquals(List.of("don't", "avogadro's", "o’er", "'", "tis", "kings", "'", "crowns"),
        WordTokenizer.split("don't avogadro's o’er 'tis kings' crowns", false));
  }

  @Test
  void everyLineBreakIsANewlineTokenAndOtherSpaceIsDropped() {
    assertEquals(List.of("a", "\n", "b", "\n", "\n", "c", "\n", "d"),
        WordTokenizer.split("a\nb\r\n\n  c\r\td", false));
    assertEquals(List.of("a", "b"), WordTokenizer.split("  a \t\u00a0 b  ", false), "no-break space separates");
  }

  @Test
  void lowerCasingHappensBeforeSplitting() {
    assertEquals(List.of("the", "apple", "phone", "."), WordTokenizer.split("The APPLE Phone.", true));
    assertEquals(List.of("The", "APPLE", "Phone", "."), WordTokenizer.split("The APPLE Phone.", false));
  }

  @Test
  void idsGoByDescendingCountThenAlphabeticallyWithUnkFirst() {
    WordTokenizer tok = WordTokenizer.fit("b a c a b a\nz", false, 0, 1);
    // counts: a 3, b 2, then c, z and the newline once each, ordered by String.compareTo ("\n" < "c" < "z")
    assertEquals(List.of("<unk>", "a", "b", "\n", "c", "z"), tok.vocabulary());
    assertEquals(WordTokenizer.UNK_ID, tok.id("<unk>").getAsInt());
  }

  @Test
  void maxVocabKeepsTheMostFrequentAndMapsTheRestToUnk() {
    WordTokenizer tok = WordTokenizer.fit("a a a b b c d", false, 3, 1);
    assertEquals(List.of("<unk>", "a", "b"), tok.vocabulary());
    assertArrayEquals(new int[] {1, 2, 0, 0, 0}, tok.encode("a b c d e"));
    assertEquals("a b <unk> <unk> <unk>", tok.decode(tok.encode("a b c d e")));
  }

  @Test
  void minCountDropsRareWords() {
    WordTokenizer tok = WordTokenizer.fit("a a a b b c d", false, 0, 2);
    assertEquals(List.of("<unk>", "a", "b"), tok.vocabulary());
    WordTokenizer both = WordTokenizer.fit("a a a b b c c d", false, 2, 2);
    assertEquals(List.of("<unk>", "a"), both.vocabulary(), "the tighter of the two limits wins");
  }

  @Test
  void decodeRejoinsTokensIntoReadableText() {
    String text = "Well, he said (twice): \"the apple-pie is sweet!\" Didn't he?\nYes; it's 3 - no.";
    WordTokenizer tok = WordTokenizer.fit(text, false, 0, 1);
    assertEquals("Well, he said (twice): \"the apple-pie is sweet!\" Didn't he?\nYes; it's 3-no.",
        tok.decode(tok.encode(text)));
  }

  @Test
  void encodeDecodeIsTheIdentityOnCanonicallySpacedText() {
    String text = "the bank approved the loan.\nthe mole of water weighed eighteen grams.\n";
    WordTokenizer tok = WordTokenizer.fit(text, true, 0, 1);
    assertEquals(text.strip(), tok.decode(tok.encode(text)).strip());
    int[] ids = tok.encode(text);
    assertArrayEquals(ids, tok.encode(tok.decode(ids)), "encode(decode(ids)) == ids");
  }

  @Test
  void idFindsAPromptWordTheWayEncodeSeesIt() {
    WordTokenizer lower = WordTokenizer.fit("the apple phone", true, 0, 1);
    assertEquals(OptionalInt.of(lower.encode("Apple")[0]), lower.id("Apple"));
    assertEquals(OptionalInt.empty(), lower.id("banana"));
    WordTokenizer exact = WordTokenizer.fit("the apple phone", false, 0, 1);
    assertEquals(OptionalInt.empty(), exact.id("Apple"));
    assertEquals("apple", exact.token(exact.id("apple").getAsInt()));
  }

  @Test
  void unkCannotCollideWithTextBecauseAngleBracketsAreMarks() {
    WordTokenizer tok = WordTokenizer.fit("<unk> x", false, 0, 1);
    assertEquals(List.of("<unk>", "<", ">", "unk", "x"), tok.vocabulary());
  }

  @Test
  void aVocabularyMustStartWithUnkAndHaveNoRepeats() {
    assertThrows(DataException.class, () -> new WordTokenizer(false, List.of("a", "<unk>")));
    assertThrows(DataException.class, () -> new WordTokenizer(false, List.of("<unk>", "a", "a")));
    assertThrows(IllegalArgumentException.class,
        () -> new WordTokenizer(false, List.of("<unk>", "a")).decode(new int[] {2}));
  }
}
