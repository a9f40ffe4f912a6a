package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ParameterCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code params}: the shipped GPT-2 and GPT-3 configs, and buildable models against the graph's own count. */
class ParamsCommandTest {
  @TempDir Path tmp;

  /** configs/NAME from the repository root (found by walking up from the working directory). */
  static Path shippedConfig(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("configs").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("configs/" + name + " not found above " + Path.of("").toAbsolutePath());
  }

  private static JsonNode json(String... args) throws IOException {
    CliRun r = CliRun.of(args);
    assertEquals(0, r.exit(), r.err());
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void gpt2SmallHas124439808Parameters() throws IOException {
    Path config = shippedConfig("gpt2-small.yaml");
    CliRun table = CliRun.of("params", "--config", config.toString());
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().contains("124,439,808"), table.out());
    assertFalse(table.out().contains("h11/attn/W_Q"), "one layer by default:\n" + table.out());
    assertTrue(table.out().contains("× 12 layers"), table.out());
    assertTrue(table.out().lines().anyMatch(l -> l.startsWith("  × 12 layers") && l.endsWith(" 85,054,464")),
        "12 × 7,087,872:\n" + table.out());
    CliRun every = CliRun.of("params", "--config", config.toString(), "--all");
    assertTrue(every.out().contains("h11/attn/W_Q"), every.out());
    assertTrue(every.out().contains("124,439,808"), every.out());
    JsonNode j = json("params", "--config", config.toString(), "--json");
    assertEquals(124_439_808L, j.get("total").asLong());
    assertEquals(50257, j.get("model").get("vocab_size").asInt());
    assertEquals(12, j.get("layers").size());
    assertEquals(7_087_872L, j.get("layers").get(0).asLong()); // 12·768² attention+MLP, biases and LayerNorms
    long sum = 0;
    for (JsonNode m : j.get("matrices")) {
      sum += m.get("count").asLong();
    }
    assertEquals(j.get("total").asLong(), sum);
  }

  /** Meta's published total; the table names the SwiGLU matrices and the blocks. */
  @Test
  void llama2With7BParameters() throws IOException {
    Path config = shippedConfig("llama2-7b.yaml");
    JsonNode j = json("params", "--config", config.toString(), "--json");
    assertEquals(6_738_415_616L, j.get("total").asLong());
    assertEquals(202_383_360L, j.get("layers").get(0).asLong()); // 4·4096² + 3·4096·11008 + 2·4096
    assertEquals("swiglu", j.get("model").get("mlp").asText());
    CliRun table = CliRun.of("params", "--config", config.toString());
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().contains("6,738,415,616"), table.out());
    assertTrue(table.out().contains("h0/mlp/W_gate"), table.out());
    assertTrue(table.out().contains("rope (theta 10000), rmsnorm (eps 1.0E-5), swiglu MLP of 11008"), table.out());
  }

  @Test
  void gpt3CountsWithoutBuildingAnything() throws IOException {
    JsonNode j = json("params", "--config", shippedConfig("gpt3-175b.yaml").toString(), "--json");
    long total = j.get("total").asLong();
    assertEquals(174_604_259_328L, total);
    assertTrue(Math.abs(total - 175e9) / 175e9 < 0.005, "about 175B: " + total);
    assertEquals(2.0 / 3.0, j.get("mlp").asDouble() / (j.get("mlp").asDouble() + j.get("attention").asDouble()), 1e-3);

    // issue 13, item 7: the table is one layer × 96, not 1,649 lines; --all keeps every matrix
    CliRun table = CliRun.of("params", "--config", shippedConfig("gpt3-175b.yaml").toString());
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().lines().count() < 40, table.out().lines().count() + " lines:\n" + table.out());
    assertTrue(table.out().contains("× 96 layers"), table.out());
    assertTrue(table.out().contains("174,604,259,328"), table.out());
    CliRun every = CliRun.of("params", "--config", shippedConfig("gpt3-175b.yaml").toString(), "--all");
    assertTrue(every.out().lines().filter(l -> l.matches("h\\d+/.*")).count() == 96 * 16, every.out().lines().count() + " lines");
  }

  @Test
  void checkpointAndCorpusConfigsEqualTheGraphsCount() throws IOException {
    GPT gpt = TinyTrainedModel.model();
    JsonNode j = json("params", "--checkpoint", TinyTrainedModel.run().toString(), "--json");
    assertEquals(ParameterCount.of(gpt).total(), j.get("total").asLong());
    // the model object is the architecture's one JSON form (as in meta.json): it reads back as the model's config
    assertEquals(gpt.config(), minitransformer.training.checkpoint.ModelConfigJson.read(j.get("model"), "params --json"));
    List<String> names = new ArrayList<>();
    for (JsonNode m : j.get("matrices")) {
      names.add(m.get("name").asText());
      long[] shape = new ObjectMapper().convertValue(m.get("shape"), long[].class);
      assertTrue(Arrays.equals(gpt.parameters().get(m.get("name").asText()).shape(), shape), m.toString());
    }
    assertEquals(gpt.parameterNames(), names);

    // A config with a corpus (no vocab_size): the vocabulary comes from tokenizing it.
    String text = "abcdefg hij\n".repeat(20);
    Files.writeString(tmp.resolve("corpus.txt"), text);
    int vocabSize = minitransformer.datasets.Tokenizers.fit(minitransformer.datasets.TokenizerSpec.chars(), text)
        .vocabSize();
    Path config = tmp.resolve("c.yaml");
    Files.writeString(config, """
        model: {n_layer: 3, n_head: 2, n_embd: 8, block_size: 8, bias: false, tie_embeddings: false,
                positional_encoding: sinusoidal}
        data: {path: corpus.txt, tokenizer: char}
        """);
    GPTConfig built = new GPTConfig(vocabSize, 8, 3, 2, 8, minitransformer.framework.PositionalEncoding.SINUSOIDAL,
        false, false, 0.0);
    assertEquals(ParameterCount.of(GPT.create(built, 1)).total(), json("params", "--config", config.toString(),
        "--json").get("total").asLong());
  }

  @Test
  void badInputsGiveOneErrorLine() throws IOException {
    String gpt2 = shippedConfig("gpt2-small.yaml").toString();
    CliRun none = CliRun.of("params");
    none.assertOneErrorLine("--config");
    CliRun both = CliRun.of("params", "--config", gpt2, "--checkpoint", tmp.toString());
    both.assertOneErrorLine("mutually exclusive");
    for (CliRun r : List.of(none, both)) {
      assertFalse(r.err().startsWith("error: Error:"), "picocli's own 'Error: ' is not repeated: " + r.err());
    }
    CliRun.of("params", "--config", tmp.resolve("none.yaml").toString()).assertOneErrorLine("none.yaml");
    Path zero = tmp.resolve("zero.yaml");
    Files.writeString(zero, "model:\n  vocab_size: 0\n");
    CliRun.of("params", "--config", zero.toString()).assertOneErrorLine("model.vocab_size");
    Path noData = tmp.resolve("nodata.yaml");
    Files.writeString(noData, "model:\n  n_layer: 2\n");
    CliRun.of("params", "--config", noData.toString()).assertOneErrorLine("data.path");
    // vocab_size describes an architecture; training takes the vocabulary from its tokenizer.
    CliRun.of("train", "--dry-run", "--config", gpt2).assertOneErrorLine("model.vocab_size");
  }
}
