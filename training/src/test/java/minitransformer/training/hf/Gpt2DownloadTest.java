package minitransformer.training.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A whole Hugging Face GPT-2 directory (model and tokenizer) written and read back, and their sizes checked. */
class Gpt2DownloadTest {
  @TempDir Path dir;

  /** 256 bytes in GPT-2's order, three merges, <|endoftext|>: 260 tokens. */
  private static Gpt2Tokenizer smallTokenizer() {
    String[] a = HfModels.alphabet();
    StringBuilder vocab = new StringBuilder("{");
    int id = 0;
    List<Integer> order = new java.util.ArrayList<>();
    for (int b = 0; b < 256; b++) if (a[b].codePointAt(0) == b) order.add(b);
    for (int b = 0; b < 256; b++) if (a[b].codePointAt(0) != b) order.add(b);
    for (int b : order) vocab.append(id == 0 ? "" : ",").append(quote(a[b])).append(':').append(id++);
    for (String merged : List.of("Ġt", "he", "Ġthe", "<|endoftext|>")) {
      vocab.append(',').append(quote(merged)).append(':').append(id++);
    }
    return Gpt2Tokenizer.fromVocabAndMerges(vocab.append('}').toString(), "#version: 0.2\nĠ t\nh e\nĠt he\n");
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void modelAndTokenizerRoundTrip() {
    Gpt2Tokenizer tokenizer = smallTokenizer();
    assertEquals(260, tokenizer.vocabSize());
    assertArrayEquals(new int[] {258, 258}, tokenizer.encode(" the the"));
    GPTConfig c = new GPTConfig(260, 16, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0);
    GPT gpt = GPT.create(c, 4);
    new Gpt2Download(c, gpt.parameters(), tokenizer).write(dir);
    Gpt2Download back = Gpt2Download.read(dir);
    assertEquals(c, back.config());
    assertEquals(tokenizer, back.tokenizer());
    gpt.parameters().forEach((name, p) -> assertArrayEquals(p.castTo(DataType.FLOAT).dup('c').data().asFloat(),
        back.parameters().get(name).dup('c').data().asFloat(), name));
  }

  @Test
  void aTokenizerOfAnotherSizeIsRefusedBeforeTheWeightsAreRead() throws Exception {
    GPTConfig c = new GPTConfig(260, 16, 1, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0);
    new Gpt2Download(c, GPT.create(c, 4).parameters(), smallTokenizer()).write(dir);
    Path config = dir.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("\"vocab_size\" : 260", "\"vocab_size\" : 300"),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("model.safetensors"), "truncated"); // never reached
    CheckpointException e = assertThrows(CheckpointException.class, () -> Gpt2Download.read(dir));
    assertEquals(config + ": vocab_size 300 but the tokenizer in " + dir + " has 260 tokens", e.getMessage());
  }
}
