package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import minitransformer.datasets.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prompt file of megabytes costs one pass over its text: sample prints it and continues it, and
 * predict reads its last block_size tokens, in seconds (before, sample decoded the whole prompt again
 * for each of its tokens, hours for this file).
 */
class LongPromptTest {
  @TempDir Path dir;

  @Test
  void aPromptOfMegabytesIsReadInOnePass() throws IOException {
    String run = TinyTrainedModel.run().toString();
    Tokenizer tokenizer = TinyTrainedModel.tokenizer();
    String text = (TinyTrainedModel.PROMPT + " . anna ate the apple .\n").repeat(40_000); // ~3 MB
    Path file = dir.resolve("long.txt");
    Files.writeString(file, text);
    int[] ids = tokenizer.encode(text);
    int[] last = Arrays.copyOfRange(ids, ids.length - 16, ids.length);
    String lastText = tokenizer.decode(last);

    CliRun shortSample = CliRun.of("sample", "--checkpoint", run, "--prompt", lastText, "--tokens", "4",
        "--temperature", "0");
    assertEquals(0, shortSample.exit(), shortSample.err());
    String continuation = shortSample.out().substring(lastText.length());

    CliRun longSample = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> CliRun.of("sample",
        "--checkpoint", run, "--prompt-file", file.toString(), "--tokens", "4", "--temperature", "0"));
    assertEquals(0, longSample.exit(), longSample.err());
    assertEquals(tokenizer.decode(ids) + continuation, longSample.out(), "the whole prompt, then what the last block gives");
    assertTrue(longSample.err().contains("the prompt has " + ids.length + " tokens"), longSample.err());

    CliRun predict = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.of("predict",
        "--checkpoint", run, "--prompt-file", file.toString(), "--json"));
    assertEquals(0, predict.exit(), predict.err());
    CliRun predictLast = CliRun.of("predict", "--checkpoint", run, "--prompt", lastText, "--json");
    JsonNode whole = new ObjectMapper().readTree(predict.out());
    assertEquals(ids.length, whole.get("prompt_tokens").asLong());
    assertEquals(new ObjectMapper().readTree(predictLast.out()).get("predictions"), whole.get("predictions"));
  }
}
