package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face tokenizer.json files of byte-level BPE models beyond GPT-2: SmolLM2's pre-tokenizer
 * (Digits with individual_digits, then ByteLevel) is read and applied, written and read back; the
 * sentencepiece tokenizers of Llama 2 and TinyLlama, and other pre-tokenizers, are refused in one line.
 */
class HfTokenizerJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** The tiny GPT-2 tokenizer.json of the fixtures (1,000 merges), edited. */
  private Path tiny(Consumer<ObjectNode> edit) throws Exception {
    Path d = Files.createTempDirectory(dir, "tok");
    Path source = Path.of(HfTokenizerJsonTest.class.getResource("/gpt2/tiny/tokenizer.json").toURI());
    ObjectNode root = (ObjectNode) JSON.readTree(source.toFile());
    edit.accept(root);
    Files.writeString(d.resolve("tokenizer.json"), JSON.writeValueAsString(root), StandardCharsets.UTF_8);
    return d;
  }

  private static void smolLm2(ObjectNode root) {
    ObjectNode sequence = JSON.createObjectNode().put("type", "Sequence");
    sequence.putArray("pretokenizers").add(JSON.createObjectNode().put("type", "Digits").put("individual_digits", true))
        .add(root.get("pre_tokenizer"));
    root.set("pre_tokenizer", sequence);
  }

  @Test
  void smolLm2sPreTokenizerCutsEveryDigitBeforeGpt2sPattern() throws Exception {
    Gpt2Tokenizer plain = Gpt2Tokenizer.load(tiny(r -> { }));
    Gpt2Tokenizer digits = Gpt2Tokenizer.load(tiny(HfTokenizerJsonTest::smolLm2));
    assertFalse(plain.splitsDigits());
    assertTrue(digits.splitsDigits());
    assertEquals(List.of("in", "Ġ", "2", "0", "2", "6"), entries(digits, digits.encode("in 2026")));
    List<String> gpt2 = entries(plain, plain.encode("in 2026"));
    assertEquals("in", gpt2.get(0));
    assertTrue(gpt2.get(1).startsWith("Ġ2"), "GPT-2's pattern keeps the space with the number: " + gpt2);
    // the same as cutting the text at each number character (a regular expression, not the scan) and
    // reading each stretch between with GPT-2's pattern
    String[] texts = {"It's 2026, and 3.14 < 42x7 ½ ٣ apples\n\n 12  ab1 2", "x1", "1", "", " 9 ", "a\u0661\u0662b",
        "Numbers 12345 and 3.14159 and 1,000,000", "x\uD835\uDFD8y"};
    Pattern number = Pattern.compile("\\p{N}");
    for (String text : texts) {
      List<Integer> expected = new ArrayList<>();
      Matcher m = number.matcher(text);
      int start = 0;
      while (m.find()) {
        for (int id : plain.encode(text.substring(start, m.start()))) expected.add(id);
        for (int id : plain.encode(m.group())) expected.add(id);
        start = m.end();
      }
      for (int id : plain.encode(text.substring(start))) expected.add(id);
      assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), digits.encode(text), text);
      assertEquals(text, digits.decode(digits.encode(text)));
    }
  }

  private static List<String> entries(Gpt2Tokenizer t, int[] ids) {
    return Arrays.stream(ids).mapToObj(t::vocabEntry).toList();
  }

  @Test
  void aPostProcessorThatAddsNothingIsRead() throws Exception {
    Gpt2Tokenizer t = Gpt2Tokenizer.load(tiny(r -> r.putObject("post_processor").put("type", "TemplateProcessing")
        .putArray("single").addObject().putObject("Sequence").put("id", "A").put("type_id", 0)));
    assertArrayEquals(Gpt2Tokenizer.load(tiny(r -> { })).encode("in 2026"), t.encode("in 2026"));
  }

  @Test
  void aWrittenTokenizerJsonAndACheckpointsDocumentGiveTheSameTokenizerBack() throws Exception {
    for (boolean split : new boolean[] {true, false}) {
      Gpt2Tokenizer t = Gpt2Tokenizer.load(tiny(split ? HfTokenizerJsonTest::smolLm2 : r -> { }));
      Path saved = Files.createTempDirectory(dir, "saved");
      t.saveTokenizerJson(saved);
      Gpt2Tokenizer back = Gpt2Tokenizer.load(saved);
      assertEquals(t, back);
      assertEquals(split, back.splitsDigits());
      String document = Tokenizers.toJson(t);
      assertEquals(split, document.contains("\"individual_digits\""), "written only when true");
      Tokenizer fromDocument = Tokenizers.fromJson(document);
      assertEquals(t, fromDocument);
      String text = "in 2026 <|endoftext|> naïve";
      assertArrayEquals(t.encode(text), fromDocument.encode(text));
    }
    Gpt2Tokenizer t = Gpt2Tokenizer.load(tiny(HfTokenizerJsonTest::smolLm2));
    DataException bad = assertThrows(DataException.class,
        () -> Tokenizers.fromJson(Tokenizers.toJson(t).replace("\"individual_digits\" : true", "\"individual_digits\" : 1")));
    assertTrue(bad.getMessage().contains("\"individual_digits\" must be true or false"), bad.getMessage());
  }

  private void refused(Consumer<ObjectNode> edit, String expected) throws Exception {
    Path d = tiny(edit);
    DataException e = assertThrows(DataException.class, () -> Gpt2Tokenizer.load(d));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(d.resolve("tokenizer.json").toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  @Test
  void sentencepieceAndOtherPreTokenizersAreRefusedInOneLine() throws Exception {
    String sp = "a sentencepiece tokenizer such as Llama 2's or TinyLlama's is not read";
    // TinyLlama's tokenizer.json: a normalizer that prepends and replaces with ▁, no pre-tokenizer, byte_fallback
    refused(r -> {
      ObjectNode n = r.putObject("normalizer").put("type", "Sequence");
      n.putArray("normalizers").addObject().put("type", "Prepend").put("prepend", "▁");
    }, "has a normalizer (Sequence); GPT-2's has none (" + sp);
    refused(r -> ((ObjectNode) r.get("model")).put("byte_fallback", true), "model.byte_fallback is true (" + sp);
    refused(r -> r.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁"),
        "pre_tokenizer is Metaspace (" + sp);
    refused(r -> ((ObjectNode) r.get("model")).put("type", "Unigram"), "model.type is \"Unigram\", not \"BPE\" (" + sp);
    refused(r -> r.putObject("decoder").put("type", "Metaspace"), "decoder is \"Metaspace\"");
    // Llama 3's: a Split with its own pattern, then ByteLevel without the regex
    refused(r -> {
      ObjectNode s = JSON.createObjectNode().put("type", "Sequence");
      s.putArray("pretokenizers").add(JSON.createObjectNode().put("type", "Split").set("pattern",
          JSON.createObjectNode().put("Regex", "\\p{N}{1,3}"))).add(r.get("pre_tokenizer"));
      r.set("pre_tokenizer", s);
    }, "pre_tokenizer splits with its own pattern {\"Regex\":\"\\\\p{N}{1,3}\"}, which is not implemented");
    refused(r -> ((ObjectNode) r.get("model")).put("ignore_merges", true), "model.ignore_merges is true");
    refused(r -> r.putObject("post_processor").put("type", "TemplateProcessing").putArray("single").addObject()
        .putObject("SpecialToken").put("id", "<s>").put("type_id", 0),
        "post_processor TemplateProcessing adds \"<s>\" to every text, which is not implemented");
    refused(r -> r.putObject("post_processor").put("type", "RobertaProcessing"),
        "post_processor \"RobertaProcessing\" is not implemented");
    refused(r -> {
      smolLm2(r);
      ((ObjectNode) r.get("pre_tokenizer").get("pretokenizers").get(0)).put("individual_digits", false);
    }, "pre_tokenizer Sequence");
    // only tokenizer.model: the sentencepiece model itself
    Files.write(dir.resolve("tokenizer.model"), new byte[] {1, 2});
    DataException e = assertThrows(DataException.class, () -> Gpt2Tokenizer.load(dir));
    assertTrue(e.getMessage().endsWith("only tokenizer.model: a sentencepiece tokenizer, which is not read (only"
        + " byte-level BPE)"), e.getMessage());
  }
}
