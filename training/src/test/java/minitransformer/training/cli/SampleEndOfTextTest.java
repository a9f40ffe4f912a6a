package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.framework.Names;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.hf.HfModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * sample on a model with GPT-2's tokenizer ends at {@code <|endoftext|>} and says so on stderr, without
 * printing it; {@code --no-stop} goes on and prints it. {@code <|endoftext|>} written in a prompt is read as
 * the one special token (nanoGPT's sample.py), from --prompt and from --prompt-file alike. The model is the
 * tiny hub-layout GPT-2 (300 tokens, <|endoftext|> is 299) with its final LayerNorm set so that every
 * position's most likely token is <|endoftext|>: γ = 0 and β = 4·wte[299], with wte[299] scaled by 4.
 */
class SampleEndOfTextTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path ends;
  private Gpt2Tokenizer tokenizer;

  @BeforeEach
  void importAModelThatEndsItsText() throws Exception {
    Path hf = tmp.resolve("gpt2");
    tokenizer = HfModels.hub(hf);
    Path imported = tmp.resolve("imported");
    CliRun run = CliRun.of("import", "--hf", hf.toString(), "--out", imported.toString());
    assertEquals(0, run.exit(), run.err());
    TrainingState s = CheckpointStore.load(imported, w -> {});
    int end = tokenizer.endOfText().getAsInt();
    assertEquals(299, end);
    Map<String, INDArray> p = new LinkedHashMap<>(s.parameters());
    INDArray wte = p.get(Names.WTE).dup();
    wte.getRow(end).muli(4);
    p.put(Names.WTE, wte);
    p.put(Names.gamma(Names.LN_F), p.get(Names.gamma(Names.LN_F)).mul(0));
    p.put(Names.beta(Names.LN_F), wte.getRow(end).mul(4).reshape(p.get(Names.beta(Names.LN_F)).shape()));
    ends = tmp.resolve("ends");
    new CheckpointStore(ends, 1).save(new TrainingState(s.step(), s.tokensSeen(), s.model(), s.resolvedConfigYaml(),
        s.tokenizerJson(), s.batchRngState(), s.evalRngState(), s.dropoutRngState(), s.bestValLoss(), s.lastTrainLoss(),
        s.lastValLoss(), p, s.optimizerState(), s.optimizerStep(), s.optimizer()), false);
  }

  @Test
  void sampleStopsAtEndOfTextAndSaysSoUnlessToldToGoOn() {
    String prompt = " the cat";
    for (String cache : new String[] {"--refill", "--no-cache"}) {
      String[] args = cache.equals("--refill")
          ? new String[] {"sample", "--checkpoint", ends.toString(), "--prompt", prompt, "--tokens", "5",
              "--temperature", "0", "--refill", "4"}
          : new String[] {"sample", "--checkpoint", ends.toString(), "--prompt", prompt, "--tokens", "5",
              "--temperature", "0", "--no-cache"};
      CliRun stopped = CliRun.of(args);
      assertEquals(0, stopped.exit(), stopped.err());
      assertEquals(prompt + "\n", stopped.out(), "the text ends before <|endoftext|>, which is not printed");
      assertEquals("note: stopped at <|endoftext|> (id 299), token 1 of 5 (--no-stop continues past it)",
          stopped.err().strip());
    }
    CliRun onward = CliRun.of("sample", "--checkpoint", ends.toString(), "--prompt", prompt, "--tokens", "5",
        "--temperature", "0", "--no-stop");
    assertEquals(0, onward.exit(), onward.err());
    assertEquals(prompt + "<|endoftext|>".repeat(5) + "\n", onward.out());
    assertFalse(onward.err().contains("stopped"), onward.err());
  }

  @Test
  void endOfTextInAPromptIsReadAsTheSpecialToken() throws Exception {
    String prompt = " the cat<|endoftext|> the hall";
    int[] ids = tokenizer.encode(prompt);
    assertTrue(java.util.Arrays.stream(ids).anyMatch(id -> id == 299), "one special token");
    assertTrue(tokenizer.encodeOrdinary(prompt).length > ids.length, "as text it is several tokens");
    CliRun predict = CliRun.of("predict", "--checkpoint", ends.toString(), "--prompt", prompt, "--json");
    assertEquals(0, predict.exit(), predict.err());
    assertEquals(ids.length, JSON.readTree(predict.out()).get("prompt_tokens").asInt());
    Path file = tmp.resolve("prompt.txt");
    Files.writeString(file, ("a long text" + prompt + "\n").repeat(10_000)); // read in chunks
    CliRun fromFile = CliRun.of("predict", "--checkpoint", ends.toString(), "--prompt-file", file.toString(), "--json");
    assertEquals(0, fromFile.exit(), fromFile.err());
    JsonNode report = JSON.readTree(fromFile.out());
    assertEquals(tokenizer.encode(Files.readString(file)).length, report.get("prompt_tokens").asInt());
    assertArrayEquals(new int[] {299}, tokenizer.encode("<|endoftext|>"));
  }
}
