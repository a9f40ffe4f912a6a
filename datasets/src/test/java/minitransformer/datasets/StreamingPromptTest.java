package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A prompt of any length costs one pass: its ids come from {@link StreamingEncoder} chunk by chunk,
 * equal to encoding the whole text, and a word tokenizer's streaming decoder prints each token in
 * constant time, equal to decoding the whole sequence.
 */
class StreamingPromptTest {
  private static String corpus() throws IOException {
    Path context = TestFiles.findUp("datasets/corpus/context.txt").orElseThrow();
    return Files.readString(context);
  }

  /** Several chunks of text, with runs of spaces, tabs, line breaks and quotes at the cuts. */
  private static String longText() throws IOException {
    String text = corpus();
    StringBuilder out = new StringBuilder();
    Random random = new Random(7);
    String[] seps = {" ", "  ", "\n", " \n ", "\t ", "\r\n", " \" ", "Σ ", "— "};
    while (out.length() < 5 * StreamingEncoder.CHUNK) {
      int from = random.nextInt(text.length() - 200);
      out.append(text, from, from + 150).append(seps[random.nextInt(seps.length)]);
    }
    return out.toString();
  }

  private static int[] streamed(Tokenizer tokenizer, String text) throws IOException {
    int[][] all = {new int[0]};
    long chars = StreamingEncoder.encode(tokenizer, new StringReader(text), (piece, ids) -> {
      int n = all[0].length;
      all[0] = Arrays.copyOf(all[0], n + ids.length);
      System.arraycopy(ids, 0, all[0], n, ids.length);
    });
    assertEquals(text.length(), chars);
    return all[0];
  }

  @Test
  void chunkedIdsEqualTheWholeTextsIds() throws IOException {
    String text = longText();
    String corpus = corpus();
    List<Tokenizer> tokenizers = List.of(
        WordTokenizer.fit(corpus, true, 0, 1),
        WordTokenizer.fit(corpus, false, 300, 2),
        CharTokenizer.fit(text),
        BpeTrainer.train(corpus.substring(0, 20_000), 300, SplitPattern.GPT4),
        BpeTrainer.train(corpus.substring(0, 20_000), 300, SplitPattern.GPT2));
    for (Tokenizer tokenizer : tokenizers) {
      int[] whole = tokenizer.encode(text);
      assertArrayEquals(whole, streamed(tokenizer, text), tokenizer.toString());
    }
  }

  @Test
  void aCharacterOutsideTheVocabularyIsNamedAtItsPlaceInTheWholeText() throws IOException {
    String text = longText();
    CharTokenizer chars = CharTokenizer.fit(text);
    String bad = text + "\nab€";
    long lines = bad.chars().filter(c -> c == '\n').count() + 1;
    DataException e = assertThrows(DataException.class, () -> streamed(chars, bad));
    assertTrue(e.getMessage().contains("(line " + lines + ", column 3)"), e.getMessage());
  }

  @Test
  void theWordDecoderPrintsWhatDecodePrints() {
    WordTokenizer words = new WordTokenizer(false,
        List.of(WordTokenizer.UNK, "a", "b", "\n", "\"", ".", "(", ")", "-", ",", "'"));
    Random random = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int[] ids = random.ints(random.nextInt(30), 0, words.vocabSize()).toArray();
      StreamingDecoder decoder = words.streamingDecoder();
      StringBuilder printed = new StringBuilder();
      for (int id : ids) {
        printed.append(decoder.push(id));
      }
      printed.append(decoder.finish());
      assertEquals(words.decode(ids), printed.toString(), Arrays.toString(ids));
    }
  }

  /** Before, each token decoded the whole sequence again: 200,000 tokens took hours. */
  @Test
  void theWordDecoderIsLinear() {
    WordTokenizer words = new WordTokenizer(false, List.of(WordTokenizer.UNK, "a", "b", ".", "\""));
    int[] ids = new Random(5).ints(200_000, 0, words.vocabSize()).toArray();
    long printed = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      StreamingDecoder decoder = words.streamingDecoder();
      long n = 0;
      for (int id : ids) {
        n += decoder.push(id).length();
      }
      return n;
    });
    assertEquals(words.decode(ids).length(), printed);
  }
}
