package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.training.TinyRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with every block option through the commands: train, resume, inspect, sample past
 * block_size (the rope cache slides), export and import, the raw scores, and the explanation with
 * the lines of rope, grouped-query attention and QK-norm.
 */
class BlockOptionsEndToEndTest {
  @TempDir Path dir;

  private static final String[] LLAMA = {
    "--set", "model.n_layer=2", "--set", "model.n_head=4", "--set", "model.positional_encoding=rope",
    "--set", "model.norm=rmsnorm", "--set", "model.mlp=swiglu", "--set", "model.n_kv_head=2",
    "--set", "model.qk_norm=true", "--set", "model.logit_softcap=10"
  };

  private static String[] args(String[] head, String... tail) {
    String[] all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void trainsResumesSamplesExportsAndImports() throws IOException {
    Path config = TinyRuns.write(dir, "");
    CliRun trained = CliRun.of(args(new String[] {"train", "--config", config.toString(), "--quiet",
        "--set", "training.max_iters=3"}, LLAMA));
    assertEquals(0, trained.exit(), trained.err());
    Path run = dir.resolve("runs/tiny");
    assertTrue(Files.readString(run.resolve("step-000003/meta.json")).contains("\"format_version\" : 3"));
    assertTrue(Files.readString(run.resolve("config.yaml")).contains("n_kv_head: 2"));

    CliRun resumed = CliRun.of("train", "--resume", run.toString(), "--quiet", "--set", "training.max_iters=6");
    assertEquals(0, resumed.exit(), resumed.err());

    CliRun inspect = CliRun.of("inspect", "--checkpoint", run.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    assertTrue(inspect.out().contains("rope (theta 10000), rmsnorm (eps 1.0E-5), swiglu MLP of 64, "
        + "2 key/value heads for 4 query heads, qk_norm, logit softcap 10"), inspect.out());

    // 40 tokens after a 2-token prompt: far past block_size 8, by cached steps that slide
    CliRun sample = CliRun.of("sample", "--checkpoint", run.toString(), "--prompt", "ab", "--tokens", "40");
    assertEquals(0, sample.exit(), sample.err());
    assertTrue(sample.out().length() >= 40, sample.out());

    CliRun explain = CliRun.of("attention", "--checkpoint", run.toString(), "--prompt", "ab ca", "--explain",
        "--layer", "1", "--vectors");
    assertEquals(0, explain.exit(), explain.err());
    String text = explain.out();
    assertTrue(text.contains("rmsnorm: ln_1(x) = x / √(mean(x²) + 1.0E-5) · γ"), text);
    assertTrue(text.contains("grouped-query: 4 query heads share 2 key/value heads"), text);
    assertTrue(text.contains("grouped-query: query head 3 reads key/value head 1"), text);
    assertTrue(text.contains("rotary: q and k rotated by t·θ_i, θ_i = 10000^(-2i/hs), pair (i, i+hs/2); angles at t=4:"
        + " [4.0000, "), text);
    assertTrue(text.contains("rotary: q·k_s before rotation (s = 0..4) = ["), text);
    assertTrue(text.contains("s=4 k before rotation = ["), text);
    assertTrue(text.contains("qk_norm: |q| "), text);
    java.util.regex.Matcher check = java.util.regex.Pattern.compile("max \\|weight - h1/attn/probs\\| = (\\S+),"
        + " max \\|\\(x \\+ y\\) \\+ mlp\\(ln_2\\(x \\+ y\\)\\) - h1/out\\| = (\\S+)").matcher(text);
    assertTrue(check.find(), text);
    assertTrue(Double.parseDouble(check.group(1)) < 1e-5, check.group());
    assertTrue(Double.parseDouble(check.group(2)) < 1e-5, check.group());

    CliRun raw = CliRun.of("attention", "--checkpoint", run.toString(), "--prompt", "ab ca", "--raw-scores");
    assertEquals(0, raw.exit(), raw.err()); // the graph's own scores: rope, QK-norm and grouped keys applied

    Path exported = dir.resolve("export/model.npz");
    CliRun export = CliRun.of("export", "--checkpoint", run.toString(), "--out", exported.toString());
    assertEquals(0, export.exit(), export.err());
    assertTrue(Files.readString(dir.resolve("export/model_config.json")).contains("\"mlp\" : \"swiglu\""));
    CliRun imported = CliRun.of("import", "--npz", exported.toString(), "--config",
        dir.resolve("export/model_config.json").toString(), "--tokenizer", dir.resolve("export/tokenizer.json").toString(),
        "--out", dir.resolve("imported").toString());
    assertEquals(0, imported.exit(), imported.err());
    CliRun again = CliRun.of("sample", "--checkpoint", dir.resolve("imported").toString(), "--prompt", "ab",
        "--tokens", "40");
    assertEquals(0, again.exit(), again.err());
    assertEquals(sample.out(), again.out(), "the imported model samples as the trained one");
  }
}
