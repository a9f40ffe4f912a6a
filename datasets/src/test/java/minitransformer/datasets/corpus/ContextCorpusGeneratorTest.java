package minitransformer.datasets.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.TestFiles;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.TokenizerSpec;
import minitransformer.datasets.WordTokenizer;
import org.junit.jupiter.api.Test;

class ContextCorpusGeneratorTest {

  private static Path committed(String name) {
    return TestFiles.findUp("datasets/corpus/" + name)
        .orElseThrow(() -> new AssertionError("datasets/corpus/" + name + " is missing from the checkout"));
  }

  @Test
  void regeneratingGivesTheCommittedFileByteForByte() throws Exception {
    byte[] generated = ContextCorpusGenerator.generate().getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(Files.readAllBytes(committed("context.txt")), generated,
        "regenerate with the command in datasets/corpus/README.md and commit the result");
  }

  @Test
  void hasTheIntendedSize() throws Exception {
    String text = Files.readString(committed("context.txt"));
    long words = text.split("\\s+").length;
    assertTrue(words >= 30_000 && words <= 80_000, words + " words");
    Corpus corpus = Corpus.load(committed("context.txt"), TokenizerSpec.words(true, 0, 1), 0.9, 32);
    int vocab = corpus.tokenizer().vocabSize();
    assertTrue(vocab >= 200 && vocab <= 600, "vocabulary " + vocab);
    assertTrue(corpus.validationSize() > 5_000, "validation " + corpus.validationSize());
  }

  /**
   * The README's prompts: every prompt word is in the vocabulary, every expected word too, and in
   * the corpus the word that ends the prompt is followed by expected words and never by the "not" ones
   * after the prompt's context word (a property the frames guarantee).
   */
  @Test
  void readmePromptsUseOnlyKnownWordsAndTheirExpectationsHoldInTheText() throws Exception {
    String text = Files.readString(committed("context.txt"));
    Tokenizer tok = Corpus.load(committed("context.txt"), TokenizerSpec.words(true, 0, 1), 0.9, 32).tokenizer();
    Pattern row = Pattern.compile("^\\| `([^`]+)` \\| ([^|]+) \\| ([^|]+) \\|$", Pattern.MULTILINE);
    Matcher m = row.matcher(Files.readString(committed("README.md")));
    int prompts = 0;
    while (m.find()) {
      prompts++;
      String prompt = m.group(1);
      for (int id : tok.encode(prompt)) {
        assertFalse(id == WordTokenizer.UNK_ID, "prompt \"" + prompt + "\" has a word outside the vocabulary");
      }
      List<String> expected = words(m.group(2));
      List<String> not = words(m.group(3));
      for (String w : expected) {
        assertTrue(tok.id(w).isPresent(), w);
      }
      // in the corpus, lines that contain the prompt's first sentence continue the prompt with an expected word
      Map<String, Integer> next = nextWordCounts(text, prompt);
      assertFalse(next.isEmpty(), "no line of the corpus starts like \"" + prompt + "\"'s context");
      for (String w : next.keySet()) {
        assertTrue(expected.contains(w), "\"" + prompt + "\" continues with \"" + w + "\" in the corpus");
        assertFalse(not.contains(w), w);
      }
    }
    assertEquals(14, prompts, "prompt rows found in the README");
  }

  private static List<String> words(String cell) {
    List<String> out = new ArrayList<>();
    for (String w : cell.split(",")) {
      out.add(w.strip());
    }
    return out;
  }

  /**
   * For lines that start with the prompt's context clause (up to its first comma or full stop; any
   * person in place of the prompt's) and contain the prompt's last three words, the counts of the
   * word after those three words.
   */
  private static Map<String, Integer> nextWordCounts(String text, String prompt) {
    int cut = prompt.length();
    for (char c : new char[] {',', '.'}) {
      int at = prompt.indexOf(c);
      if (at >= 0) {
        cut = Math.min(cut, at);
      }
    }
    List<String> persons = new ArrayList<>(ContextCorpusGenerator.names());
    persons.addAll(List.of("he", "she", "his", "her"));
    StringBuilder context = new StringBuilder("^");
    for (String w : prompt.substring(0, cut).split(" ")) {
      context.append(persons.contains(w) ? "\\w+" : Pattern.quote(w)).append(' ');
    }
    Pattern start = Pattern.compile(context.toString().strip() + "[,.]");
    String[] promptWords = prompt.split(" ");
    String tail = String.join(" ", List.of(promptWords).subList(promptWords.length - 3, promptWords.length)) + " ";
    Map<String, Integer> counts = new HashMap<>();
    for (String line : text.split("\n")) {
      int at = line.indexOf(tail);
      if (start.matcher(line).lookingAt() && at >= 0) {
        String after = line.substring(at + tail.length()).split("[ .,]")[0];
        counts.merge(after, 1, Integer::sum);
      }
    }
    return counts;
  }
}
