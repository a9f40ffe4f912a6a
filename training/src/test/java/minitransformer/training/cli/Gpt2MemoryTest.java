package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.NormKind;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.memory.MemoryEstimate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22: the memory estimates of GPT-2's three published shapes, part by part, for running a model
 * (sample, predict, attention, similarity, serve) and for fine-tuning it, and {@code import --hf} refusing
 * such a model with one line when MemAvailable is below the estimate, from config.json alone, before the
 * tokenizer or the weights are read.
 */
class Gpt2MemoryTest {
  @TempDir Path dir;

  /** A GPT-2 of n_layer × n_head at width C: 50,257 tokens, 1,024 positions, biases, tied head. */
  private static GPTConfig gpt2(int L, int nh, int C) {
    return new GPTConfig(50257, 1024, L, nh, C, PositionalEncoding.LEARNED, true, true, 0.0)
        .withNorm(NormKind.LAYERNORM, 1e-5);
  }

  static final GPTConfig SMALL = gpt2(12, 12, 768);
  static final GPTConfig MEDIUM = gpt2(24, 16, 1024);
  static final GPTConfig LARGE = gpt2(36, 20, 1280);

  @Test
  void theParametersAreThePublishedCounts() {
    // V·C + 1024·C + L·(12C² + 13C) + 2C
    assertEquals(124_439_808L, ParameterCount.of(SMALL).total());
    assertEquals(354_823_168L, ParameterCount.of(MEDIUM).total());
    assertEquals(774_030_080L, ParameterCount.of(LARGE).total());
  }

  @Test
  void importHfRefusesFromConfigJsonAloneWithOneLine() throws IOException {
    for (GPTConfig shape : new GPTConfig[] {SMALL, MEDIUM, LARGE}) {
      Path hf = dir.resolve("hf-" + shape.nLayer());
      Files.createDirectories(hf);
      Files.writeString(hf.resolve("config.json"), String.format(Locale.ROOT, "{\"architectures\": [\"GPT2LMHeadModel\"],"
          + " \"model_type\": \"gpt2\", \"activation_function\": \"gelu_new\", \"layer_norm_epsilon\": 1e-05,"
          + " \"n_layer\": %d, \"n_head\": %d, \"n_embd\": %d, \"n_positions\": 1024, \"n_ctx\": 1024,"
          + " \"vocab_size\": 50257}", shape.nLayer(), shape.nHead(), shape.nEmbd()));
      Path out = dir.resolve("out-" + shape.nLayer());
      MemoryEstimate estimate = MemoryEstimate.forCheckpointModel(shape);
      long needed = estimate.totalBytes();
      CliRun refused = CliRun.of(() -> needed - 1, "import", "--hf", hf.toString(), "--out", out.toString());
      refused.assertOneErrorLine("needs an estimated " + estimate.describe());
      assertTrue(refused.err().contains("too large for this machine"), refused.err());
      assertFalse(Files.exists(out), "nothing written");
      // with the estimate available, it goes on to read the folder: the missing tokenizer is the next problem
      CliRun read = CliRun.of(() -> needed, "import", "--hf", hf.toString(), "--out", out.toString());
      assertEquals(2, read.exit(), read.err());
      assertFalse(read.err().contains("needs an estimated"), read.err());
      assertTrue(read.err().contains("vocab.json") || read.err().contains("tokenizer"), read.err());
      assertFalse(Files.exists(out), "nothing written");
    }
  }

  /**
   * Running a model read from a checkpoint: the weights as read (4 bytes a parameter), the AdamW moments as read
   * (every checkpoint holds them; an import writes zeros), the weights again in the graph and in the KV cache's
   * rows, half a training pass's activations of one sequence of 1,024 tokens, and the runtime's 400 MB.
   * The activations per sequence of T tokens: per layer 4 arrays of [nh, T, T] and 62 of [T, C] (50, and 12 for
   * the biases), and 7 of [T, V] for the head, as floats.
   */
  @Test
  void runningAModelNeedsItsWeightsFourTimesAndOneSequencesActivations() {
    long[][] expected = { // weights, activations (bytes), total
        {497_759_232L, 4L * (12L * (4 * 12 * 1024 * 1024 + 62L * 1024 * 768) + 7L * 1024 * 50257) / 2, 5_987_450_880L},
        {1_419_292_672L, 4L * (24L * (4 * 16 * 1024 * 1024 + 62L * 1024 * 1024) + 7L * 1024 * 50257) / 2, 14_558_735_360L},
        {3_096_120_320L, 4L * (36L * (4 * 20 * 1024 * 1024 + 62L * 1024 * 1280) + 7L * 1024 * 50257) / 2, 28_491_937_792L}};
    GPTConfig[] shapes = {SMALL, MEDIUM, LARGE};
    for (int i = 0; i < 3; i++) {
      MemoryEstimate e = MemoryEstimate.forCheckpointModel(shapes[i]);
      long w = expected[i][0];
      assertEquals(w, e.parts().get("weights as read"), shapes[i].toString());
      assertEquals(2 * w, e.parts().get("AdamW moments as read"));
      assertEquals(2 * w, e.parts().get("weights in the graph and the KV cache"));
      assertEquals(expected[i][1], e.parts().get("activations of one sequence"));
      assertEquals(MemoryEstimate.RUNTIME_BYTES, e.parts().get("runtime"));
      assertEquals(expected[i][2], e.totalBytes());
    }
    // GPT-2 small: 6.0 GB estimated, above the peaks measured once on a random GPT-2 small (this project's
    // 2-core, 24 GB machine, busy with other jobs) and within the 1.5 times the estimate is calibrated to
    // (MemoryEstimate): loading it and sampling 200 tokens through the KV cache (src/test/scripts/
    // gpt2-small-size.sh) peaked at 4,598 MiB of RSS, predict on a 1,024-token prompt (the largest forward
    // pass) at 4,475,392 KiB
    long estimate = MemoryEstimate.forCheckpointModel(SMALL).totalBytes();
    for (long measured : new long[] {4_598L << 20, 4_475_392L << 10}) {
      assertTrue(estimate >= measured && estimate <= 1.5 * measured, estimate + " against " + measured);
    }
    assertEquals("6.0 GB (weights as read 498 MB, AdamW moments as read 996 MB, weights in the graph and the KV cache"
        + " 996 MB, activations of one sequence 3.1 GB, runtime 400 MB)", MemoryEstimate.forCheckpointModel(SMALL).describe());
  }

  /**
   * Sampling through the KV cache reads no optimizer state and builds no graph: the largest array as read
   * (model.npz is moved into the cache one array at a time), the cache's copy of the weights, the young
   * generation that copy passes through, the cache's keys and
   * values for block_size positions (2·L·T·C floats), its work rows (T·(6·C + 2·4C) + 2·V floats) and the
   * runtime. The commands that run the graph (predict, attention, serve) count one sequence's activations
   * instead, as before, but not the AdamW moments either.
   */
  @Test
  void samplingNeedsTheWeightsTwiceAndTheKvCache() {
    GPTConfig[] shapes = {SMALL, MEDIUM, LARGE};
    long[] weights = {497_759_232L, 1_419_292_672L, 3_096_120_320L};
    for (int i = 0; i < 3; i++) {
      GPTConfig c = shapes[i];
      MemoryEstimate e = MemoryEstimate.forInference(c, true);
      long w = weights[i];
      long T = 1024;
      assertEquals(4L * 50257 * c.nEmbd(), e.parts().get("largest array as read"), c.toString()); // wte
      assertEquals(w, e.parts().get("weights in the KV cache"));
      assertEquals(w, e.parts().get("young generation while the weights are copied"));
      assertEquals(4L * 2 * c.nLayer() * T * c.nEmbd(), e.parts().get("KV cache of 1024 positions"));
      assertEquals(4L * (T * (6L * c.nEmbd() + 8L * c.nEmbd()) + 2L * 50257), e.parts().get("KV cache's work rows"));
      assertEquals(MemoryEstimate.RUNTIME_BYTES, e.parts().get("runtime"));
      assertFalse(e.parts().keySet().stream().anyMatch(k -> k.contains("AdamW") || k.startsWith("activations")));
      assertEquals(2 * w + 4L * 50257 * c.nEmbd() + 4L * 2 * c.nLayer() * T * c.nEmbd() + 4L * (T * 14L * c.nEmbd() + 2L * 50257)
          + MemoryEstimate.RUNTIME_BYTES, e.totalBytes());
      MemoryEstimate graph = MemoryEstimate.forInference(c, false);
      assertEquals(MemoryEstimate.forCheckpointModel(c).parts().get("activations of one sequence"),
          graph.parts().get("activations of one sequence"));
      assertEquals(MemoryEstimate.forCheckpointModel(c).totalBytes() - 3 * w, graph.totalBytes());
    }
    assertEquals("1.7 GB (largest array as read 154 MB, weights in the KV cache 498 MB, young generation while the"
        + " weights are copied 498 MB, KV cache of 1024 positions 75 MB, KV cache's work rows 44 MB, runtime 400 MB)",
        MemoryEstimate.forInference(SMALL, true).describe());
    // Measured once on a random GPT-2 small (hf_gpt2_reference.py make DIR small, import --hf; this 2-core,
    // 24 GB machine, busy): `/usr/bin/time -v java -jar minitransformer.jar sample --checkpoint CK --prompt
    // "Hello" --tokens 200` peaked at 1,077,532 KiB (4,212,328 KiB before optimizer.npz was left unread and
    // the weights were held once), below the 1.7 GB estimated and within 1.6 times it (the young generation's
    // part is the loose one); predict peaked at 1,757,556 KiB (4,402,636 KiB before), below its estimate with one sequence's
    // activations at 1,024 tokens.
    long sampling = MemoryEstimate.forInference(SMALL, true).totalBytes();
    assertTrue(sampling >= 1_077_532L << 10 && sampling <= 1.6 * (1_077_532L << 10), Long.toString(sampling));
    assertTrue(MemoryEstimate.forInference(SMALL, false).totalBytes() >= 1_757_556L << 10);
  }

  /**
   * A fine-tuning step at block 128, batch 4, two workers: the weights; their gradients, twice per pass
   * alive at once with the embedding table's twice more, for the two passes at once, and once more for the sum
   * of the slices; AdamW's two moments; the activations of the sequences in flight; the runtime. GPT-2 small
   * runs two slices of 2 sequences (4 would be 2.0 GB of activations, above one worker's 1 GiB budget),
   * medium and large four slices of one.
   */
  @Test
  void fineTuningAtBlock128Batch4NeedsWeightsGradientsMomentsAndActivations() {
    GPTConfig[] shapes = {SMALL, MEDIUM, LARGE};
    long[] perSequence = new long[3];
    long[] inFlight = {4, 2, 2}; // sequences in the two passes at once
    long[] total = {7_019_301_888L, 14_670_241_792L, 29_824_782_336L};
    for (int i = 0; i < 3; i++) {
      GPTConfig s = shapes[i];
      GPTConfig cropped = new GPTConfig(50257, 128, s.nLayer(), s.nHead(), s.nEmbd(), PositionalEncoding.LEARNED,
          true, true, 0.0).withNorm(NormKind.LAYERNORM, 1e-5);
      perSequence[i] = 4L * (s.nLayer() * (4L * s.nHead() * 128 * 128 + 62L * 128 * s.nEmbd()) + 7L * 128 * 50257);
      MemoryEstimate e = MemoryEstimate.forTraining(cropped, 4, 2); // 123,751,680 parameters for small: wpe of 128 rows
      long w = 4 * ParameterCount.of(cropped).total();
      long wte = 4L * 50257 * s.nEmbd();
      assertEquals(w, e.parts().get("weights"));
      assertEquals(2 * (2 * w + 2 * wte) + w, e.parts().get("gradients"), s.toString());
      assertEquals(2 * w, e.parts().get("AdamW moments"));
      assertEquals(inFlight[i] * perSequence[i], e.activationBytes());
      assertEquals(total[i], e.totalBytes(), e.describe());
    }
  }
}
