package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.training.hf.HfModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train --init-from on a GPT-2 made by import --hf: the fine-tune's config names the data (GPT-2's tokenizer),
 * a smaller block and its schedule; the new run starts at step 0 from the imported weights and records where
 * it started. Disagreeing model keys and --resume beside --init-from are one line each, exit 2.
 */
class InitFromCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void fineTunesAnImportedGpt2InANewRun() throws Exception {
    Path hf = tmp.resolve("gpt2");
    HfModels.hub(hf);
    Path gpt2 = tmp.resolve("checkpoints/gpt2");
    CliRun imported = CliRun.of("import", "--hf", hf.toString(), "--out", gpt2.toString());
    assertEquals(0, imported.exit(), imported.err());
    Files.writeString(tmp.resolve("corpus.txt"), " the cat is in the hall, and the hall is in the house.\n".repeat(60));
    Path config = tmp.resolve("tune.yaml");
    Files.writeString(config, """
        model:
          block_size: 16       # cropped from the checkpoint's 32
          n_layer: 2           # agrees with the checkpoint
          dropout: 0.1
        data:
          path: corpus.txt
          tokenizer: gpt2
        training:
          max_iters: 4
          batch_size: 2
          learning_rate: 3.0e-5
          min_lr: 3.0e-5       # unused by the constant schedule, but must not exceed learning_rate
          lr_schedule: constant
          warmup_iters: 0
          eval_interval: 4
          eval_iters: 1
          checkpoint_interval: 4
        run:
          out_dir: runs
          prompt: " the cat"
          sample_tokens: 3
        """);
    CliRun tuned = CliRun.of("train", "--init-from", gpt2.toString(), "--config", config.toString());
    assertEquals(0, tuned.exit(), tuned.err());
    assertTrue(tuned.out().contains("new run tune: "), tuned.out());
    assertTrue(tuned.out().contains("initialised from " + TrainCommand.displayed(gpt2)
        + ": its weights and tokenizer, block_size 16, a fresh optimizer at step 0"), tuned.out());
    Path run = tmp.resolve("runs/tune");
    JsonNode meta = JSON.readTree(run.resolve("step-000004/meta.json").toFile());
    assertEquals(16, meta.get("model").get("block_size").asInt());
    assertTrue(meta.get("config_yaml").asText().contains("init_from: " + gpt2.toAbsolutePath()),
        meta.get("config_yaml").asText());
    JsonNode gpt2Meta = JSON.readTree(gpt2.resolve("step-000000/meta.json").toFile());
    assertEquals(gpt2Meta.get("tokenizer_json").asText(), meta.get("tokenizer_json").asText());
    assertFalse(Files.exists(gpt2.resolve("step-000004")), "the imported run is left as it was");

    // --dry-run reads the checkpoint's architecture and tokenizer too
    CliRun dry = CliRun.of("train", "--init-from", gpt2.toString(), "--config", config.toString(), "--dry-run");
    assertEquals(0, dry.exit(), dry.err());
    assertTrue(dry.out().contains("gpt2 tokenizer, vocabulary 300"), dry.out());

    // training.init_from in the file, read by params as by train
    Path withKey = tmp.resolve("keyed.yaml");
    Files.writeString(withKey, Files.readString(config).replace("training:\n", "training:\n  init_from: checkpoints/gpt2\n"));
    CliRun params = CliRun.of("params", "--config", withKey.toString());
    assertEquals(0, params.exit(), params.err());
    assertTrue(params.out().startsWith("model: 2 layers, 2 heads (hs 8), width C = 16, block 16, vocabulary 300"),
        params.out());
    Files.writeString(withKey, Files.readString(withKey).replace("init_from: checkpoints/gpt2", "init_from: nowhere"));
    CliRun.of("train", "--config", withKey.toString())
        .assertOneErrorLine(withKey + ": training.init_from: " + tmp.resolve("nowhere") + ": no such checkpoint");

    CliRun.of("train", "--init-from", gpt2.toString(), "--config", config.toString(), "--set", "model.n_embd=32")
        .assertOneErrorLine("--set model.n_embd=32: model.n_embd 32 disagrees with the checkpoint's");
    CliRun.of("train", "--init-from", gpt2.toString(), "--config", config.toString(), "--set", "model.block_size=64")
        .assertOneErrorLine("model.block_size 64 is larger than the checkpoint's");
    CliRun.of("train", "--init-from", gpt2.toString(), "--resume", run.toString())
        .assertOneErrorLine("--init-from and --resume cannot be combined");
    CliRun.of("train", "--init-from", tmp.resolve("nowhere").toString(), "--config", config.toString())
        .assertOneErrorLine("nowhere: no such checkpoint or run directory");
    assertFalse(Files.exists(tmp.resolve("runs/tune-2")), "nothing written by a refused run");
  }
}
