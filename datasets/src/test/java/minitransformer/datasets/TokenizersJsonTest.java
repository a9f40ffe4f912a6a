package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersJsonTest {
  private static final String TEXT = "First Citizen:\nBefore we proceed, hear me speak.\n\"Tis\" o'er\t😀 \\ end\u0001\n";

  @Test
  void charTokenizerRoundTripsExactly() {
    Tokenizer tok = Tokenizers.fit(TokenizerSpec.chars(), TEXT);
    Tokenizer back = Tokenizers.fromJson(Tokenizers.toJson(tok));
    assertInstanceOf(CharTokenizer.class, back);
    assertEquals(tok, back);
    assertEquals(tok.vocabSize(), back.vocabSize());
    assertArrayEquals(tok.encode(TEXT), back.encode(TEXT));
    assertEquals(TEXT, back.decode(tok.encode(TEXT)));
    assertEquals(Tokenizers.toJson(tok), Tokenizers.toJson(back), "saving again gives the same document");
  }

  @Test
  void wordTokenizerRoundTripsExactlyWithItsLowercaseFlag() {
    for (boolean lowercase : new boolean[] {false, true}) {
      Tokenizer tok = Tokenizers.fit(TokenizerSpec.words(lowercase, 12, 1), TEXT);
      Tokenizer back = Tokenizers.fromJson(Tokenizers.toJson(tok));
      assertEquals(tok, back);
      assertArrayEquals(tok.encode(TEXT), back.encode(TEXT));
      assertEquals(tok.decode(tok.encode(TEXT)), back.decode(back.encode(TEXT)));
      assertEquals(((WordTokenizer) tok).vocabulary(), ((WordTokenizer) back).vocabulary());
    }
  }

  @Test
  void documentNamesItsFormatAndKind() {
    String json = Tokenizers.toJson(Tokenizers.fit(TokenizerSpec.words(true, 0, 1), "a b"));
    assertTrue(json.contains("\"format\" : \"minitransformer-tokenizer/1\""), json);
    assertTrue(json.contains("\"kind\" : \"word\""), json);
  }

  @Test
  void foreignOrGarbledDocumentsAreRejectedWithAReason() {
    String good = Tokenizers.toJson(Tokenizers.fit(TokenizerSpec.words(false, 0, 1), "a b"));
    List<List<String>> cases = List.of(
        List.of("{\"format\": \"minitransformer-tokenizer/1\", \"kind\": \"word\"", "not valid JSON"),
        List.of("not json at all", "not valid JSON"),
        List.of("[1, 2, 3]", "must be an object"),
        List.of("", "must be an object"),
        List.of("{\"vocab\": [\"a\"]}", "format (none)"),
        List.of(good.replace("minitransformer-tokenizer/1", "minitransformer-tokenizer/2"), "expected \"minitransformer-tokenizer/1\""),
        List.of(good.replace("\"word\"", "\"bpf\""), "\"kind\" must be \"char\", \"word\", \"bpe\" or \"gpt2\", got \"bpf\""),
        List.of(good.replace("\"word\"", "\"bpe\""), "unknown field \"lowercase\""),
        List.of(good.replace("\"lowercase\"", "\"lowercased\""), "unknown field \"lowercased\""),
        List.of(good.replace("\"lowercase\" : false,", ""), "lacks the field \"lowercase\""),
        List.of(good.replace("false", "\"no\""), "\"lowercase\" must be true or false"),
        List.of(good.replace("\"b\"", "\"a\""), "twice"),
        List.of(good.replace("\"<unk>\",", ""), "must start with <unk>"),
        List.of("{\"format\": \"minitransformer-tokenizer/1\", \"kind\": \"char\", \"vocab\": [\"a\", 7]}",
            "entry 1 is not a string"),
        List.of("{\"format\": \"minitransformer-tokenizer/1\", \"kind\": \"char\", \"vocab\": \"ab\"}",
            "must be an array"),
        List.of("{\"format\": \"minitransformer-tokenizer/1\", \"kind\": \"char\", \"vocab\": [\"ab\"]}",
            "exactly one character"));
    for (List<String> c : cases) {
      DataException e = assertThrows(DataException.class, () -> Tokenizers.fromJson(c.get(0)), c.get(0));
      assertTrue(e.getMessage().contains(c.get(1)), "message \"" + e.getMessage() + "\" lacks \"" + c.get(1) + "\"");
      assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }
  }

  @Test
  void savedFileLoadsBackAndABadFileIsNamed(@TempDir Path dir) throws Exception {
    Tokenizer tok = Tokenizers.fit(TokenizerSpec.chars(), TEXT);
    Path file = dir.resolve("tokenizer.json");
    Tokenizers.save(tok, file);
    assertEquals(tok, Tokenizers.load(file));

    Files.writeString(file, "{}");
    DataException bad = assertThrows(DataException.class, () -> Tokenizers.load(file));
    assertTrue(bad.getMessage().startsWith(file + ": "), bad.getMessage());
    Path missing = dir.resolve("nope.json");
    DataException none = assertThrows(DataException.class, () -> Tokenizers.load(missing));
    assertEquals("tokenizer file " + missing + " does not exist", none.getMessage());
  }
}
