package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import minitransformer.datasets.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One policy for a prompt longer than block_size, the same in every command that reads a prompt: the
 * model reads its last block_size tokens, and a warning on stderr says so. Each command's answer for
 * the long prompt equals its answer for those last tokens given alone.
 */
class PromptPolicyTest {
  static final int BLOCK = 16; // TinyTrainedModel's block_size
  static String run;
  static Tokenizer tokenizer;
  static String longPrompt;
  static String lastBlock;
  static String warning;

  @BeforeAll
  static void prompts() throws IOException {
    run = TinyTrainedModel.run().toString();
    tokenizer = TinyTrainedModel.tokenizer();
    longPrompt = TinyTrainedModel.PROMPT + " . " + TinyTrainedModel.PROMPT;
    int[] ids = tokenizer.encode(longPrompt);
    assertTrue(ids.length > BLOCK, "the prompt must be longer than the block: " + ids.length);
    int[] last = Arrays.copyOfRange(ids, ids.length - BLOCK, ids.length);
    lastBlock = tokenizer.decode(last);
    assertArrayEquals(last, tokenizer.encode(lastBlock), "the last block's text encodes back to the same ids");
    warning = "warning: the prompt has " + ids.length + " tokens, more than block_size " + BLOCK
        + "; the model reads its last " + BLOCK;
  }

  /** The command with --prompt P for the long prompt and for its last block; both must succeed. */
  private static CliRun[] both(String command, String... options) {
    CliRun[] runs = new CliRun[2];
    int i = 0;
    for (String prompt : List.of(longPrompt, lastBlock)) {
      String[] args = Stream.concat(Stream.of(command, "--checkpoint", run, "--prompt", prompt), Stream.of(options))
          .toArray(String[]::new);
      runs[i] = CliRun.of(args);
      assertEquals(0, runs[i].exit(), command + ": " + runs[i].err());
      i++;
    }
    assertEquals(warning, runs[0].err().strip(), command + " warns about the long prompt");
    assertEquals("", runs[1].err(), command + " says nothing about a prompt that fits");
    return runs;
  }

  @Test
  void attentionShowsTheLastBlock() {
    CliRun[] heatmap = both("attention", "--layer", "1");
    assertEquals(heatmap[1].out(), heatmap[0].out());
    CliRun[] explained = both("attention", "--explain");
    assertEquals(explained[1].out(), explained[0].out());
  }

  @Test
  void similarityFollowsTheWordThroughTheLastBlock() {
    CliRun[] r = both("similarity", "--word", "apple", "--ref", "orange,phone");
    assertEquals(r[1].out(), r[0].out());
  }

  @Test
  void predictReadsTheLastBlock() throws IOException {
    CliRun[] r = both("predict", "--top", "5", "--json");
    JsonNode whole = new ObjectMapper().readTree(r[0].out());
    JsonNode last = new ObjectMapper().readTree(r[1].out());
    assertEquals(last.get("predictions"), whole.get("predictions"));
    assertEquals(tokenizer.encode(longPrompt).length, whole.get("prompt_tokens").asInt());
    assertEquals(BLOCK, whole.get("context_tokens").asInt());
  }

  @Test
  void sampleContinuesFromTheLastBlock() {
    CliRun[] r = both("sample", "--tokens", "6", "--temperature", "0", "--no-cache");
    String printedLong = tokenizer.decode(tokenizer.encode(longPrompt));
    assertTrue(r[0].out().startsWith(printedLong), "sample prints the whole prompt: " + r[0].out());
    assertEquals(r[1].out().substring(lastBlock.length()), r[0].out().substring(printedLong.length()));
  }

  @Test
  void everyPromptCommandStatesThePolicyInItsHelp() {
    for (String command : List.of("sample", "predict", "attention", "similarity")) {
      CliRun help = CliRun.of(command, "--help");
      assertEquals(0, help.exit());
      assertTrue(help.out().replaceAll("\\s+", " ").contains("A prompt longer than the model's block_size is read as"
          + " its last block_size tokens, with a warning on stderr."), command + ":\n" + help.out());
      assertTrue(help.out().contains("--prompt-file=FILE"), command);
    }
  }
}
