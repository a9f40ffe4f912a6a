package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The split patterns as Java reads them cut text exactly as Python's {@code regex} module (tiktoken's engine) does. */
class SplitPatternTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void gpt4PatternSplitsContractionsWordsDigitsAndSpacesAsDocumented() {
    BpeTokenizer bpe = new BpeTokenizer(SplitPattern.GPT4, List.of());
    // digits in threes without the space before them; the last space before a word stays with the word
    assertEquals(List.of("I", "'M", " here", "'ll", " ", "123", "456", "7", " ...\n", "  ", " x", "\n\n"),
        bpe.split("I'M here'll 1234567 ...\n   x\n\n"));
    BpeTokenizer gpt2 = new BpeTokenizer(SplitPattern.GPT2, List.of());
    assertEquals(List.of("I", "'", "M", " here", "'ll", " 1234567"), gpt2.split("I'M here'll 1234567"));
  }

  @Test
  void javaSplitsAsPythonsRegexModule(@TempDir Path dir) throws Exception {
    Random random = new Random(7);
    String[] pool = {"a", "Z", " ", "'", "\n", "\t", "\r", "0", "7", ".", ",", "!", "-", "é", "ß", "日", "😀", "\u0301",
        "\u00a0", "\u2003", "\u2028", "\u0085", "\u0000", "İ", "ǅ", "Ⅻ", "٣", "'S", "'LL", "’"};
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      StringBuilder s = new StringBuilder();
      for (int n = random.nextInt(30); n > 0; n--) {
        s.append(pool[random.nextInt(pool.length)]);
      }
      texts.add(s.toString());
    }
    Path in = dir.resolve("texts.json");
    JSON.writeValue(in.toFile(), texts);
    for (String pattern : List.of(SplitPattern.GPT4, SplitPattern.GPT2)) {
      Path patternFile = dir.resolve("pattern.txt");
      Files.writeString(patternFile, pattern, StandardCharsets.UTF_8);
      Path out = dir.resolve("chunks.json");
      String script = "import json, sys, regex\n"
          + "p = open(sys.argv[1], encoding='utf-8').read()\n"
          + "texts = json.load(open(sys.argv[2], encoding='utf-8'))\n"
          + "json.dump([regex.findall(p, t) for t in texts], open(sys.argv[3], 'w', encoding='utf-8'))\n";
      Process python;
      try {
        python = new ProcessBuilder("python3", "-c", script, patternFile.toString(), in.toString(), out.toString())
            .redirectErrorStream(true).start();
      } catch (java.io.IOException e) {
        assumeTrue(false, "python3 not found: " + e.getMessage());
        return;
      }
      String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assumeTrue(python.waitFor(60, TimeUnit.SECONDS) && python.exitValue() == 0,
          "python3 with the regex module is needed: " + output.strip());
      List<List<String>> expected = JSON.readValue(out.toFile(), new TypeReference<>() {});
      BpeTokenizer bpe = new BpeTokenizer(pattern, List.of());
      for (int i = 0; i < texts.size(); i++) {
        assertEquals(expected.get(i), bpe.split(texts.get(i)), "text " + JSON.writeValueAsString(texts.get(i)));
      }
    }
  }
}
