package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class CharTokenizerTest {

  @Test
  void vocabularyIsTheSortedSetOfCharacters() {
    CharTokenizer tok = CharTokenizer.fit("hello, world\n");
    assertEquals(List.of("\n", " ", ",", "d", "e", "h", "l", "o", "r", "w"), tok.vocabulary());
    assertEquals(10, tok.vocabSize());
    assertEquals("char", tok.kind());
  }

  @Test
  void encodeDecodeRoundTripIncludingCharactersOutsideTheBasicPlane() {
    String text = "Ünïcode: ok\n😀 twice 😀\r\n";
    CharTokenizer tok = CharTokenizer.fit(text);
    int[] ids = tok.encode(text);
    assertEquals(text.codePointCount(0, text.length()), ids.length, "one id per code point");
    assertEquals(text, tok.decode(ids));
    assertEquals(OptionalInt.of(tok.vocabulary().indexOf("😀")), tok.id("😀"));
  }

  @Test
  void idsFollowCodePointOrder() {
    CharTokenizer tok = CharTokenizer.fit("cab");
    assertArrayEquals(new int[] {2, 0, 1}, tok.encode("cab"));
    assertEquals("b", tok.token(1));
    assertEquals(OptionalInt.of(1), tok.id("b"));
    assertEquals(OptionalInt.empty(), tok.id("z"));
    assertEquals(OptionalInt.empty(), tok.id("ab"), "two characters are not one token");
  }

  @Test
  void unknownCharacterIsNamedWithItsCodePointAndPosition() {
    CharTokenizer tok = CharTokenizer.fit("abc\n");
    DataException e = assertThrows(DataException.class, () -> tok.encode("ab\ncZ"));
    assertEquals("character 'Z' (U+005A) is not in the vocabulary (line 2, column 2)", e.getMessage());
    DataException tab = assertThrows(DataException.class, () -> tok.encode("a\tb"));
    assertTrue(tab.getMessage().startsWith("character '\\t' (U+0009) is not in the vocabulary"), tab.getMessage());
  }

  @Test
  void idOutsideTheVocabularyIsRejected() {
    CharTokenizer tok = CharTokenizer.fit("ab");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {0, 2}));
    assertTrue(e.getMessage().contains("token id 2"), e.getMessage());
  }

  @Test
  void aVocabularyWithARepeatedCharacterIsRejected() {
    DataException e = assertThrows(DataException.class, () -> new CharTokenizer(List.of("a", "b", "a")));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    assertThrows(DataException.class, () -> new CharTokenizer(List.of("ab")));
  }
}
