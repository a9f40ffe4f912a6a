package minitransformer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.checkpoint.ModelExport;
import minitransformer.training.optim.AdamW;
import minitransformer.training.optim.LearningRateSchedule;
import minitransformer.training.step.TrainingStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training step that {@link Trainer} runs ({@link TrainingStep}: forward, backward, clipping,
 * AdamW) against an
 * independent NumPy implementation of nanoGPT's model and train.py ({@code src/test/python/
 * nanogpt_reference.py}, which shares no code with the Java side): from the same initial weights
 * and the same batches, every step's loss and gradient norm and the final weights must agree.
 *
 * <p>Gradient checks prove each gradient locally; this proves the whole loop, over many steps, is
 * nanoGPT's. Skips with a reason when no python with numpy is found; fails instead under CI=true,
 * where .ci/run installs numpy.
 */
class ReferenceTrainingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STEPS = 20;
  private static final int B = 4;
  private static final int T = 16;
  private static final int VOCAB = 23;

  @TempDir Path dir;

  @Test
  void nanoGptRecipeMatchesTheNumPyReferenceStepForStep() throws Exception {
    // bias=False, tied embeddings, learned positions: nanoGPT's shakespeare-char settings
    compare(new GPTConfig(VOCAB, T, 2, 4, 32, PositionalEncoding.LEARNED, false, true, 0.0), 11);
  }

  @Test
  void biasesUntiedHeadAndSinusoidalPositionsMatchTheNumPyReference() throws Exception {
    compare(new GPTConfig(VOCAB, T, 2, 2, 24, PositionalEncoding.SINUSOIDAL, true, false, 0.0), 12);
  }

  /** rope, RMSNorm, SwiGLU, grouped-query attention, QK-norm and the logit cap, all at once. */
  @Test
  void llamaBlocksMatchTheNumPyReferenceStepForStep() throws Exception {
    compare(new GPTConfig(VOCAB, T, 2, 4, 32, PositionalEncoding.ROPE, false, true, 0.0)
        .withRopeTheta(1000).withNorm(NormKind.RMSNORM, 1e-6).withMlp(MlpKind.SWIGLU, 0).withKvHeads(2)
        .withQkNorm(true).withLogitSoftcap(5.0), 13);
  }

  /** No positions, ReLU², multi-query attention, LayerNorm with another ε, biases and an untied head. */
  @Test
  void otherBlocksMatchTheNumPyReferenceStepForStep() throws Exception {
    compare(new GPTConfig(VOCAB, T, 2, 4, 24, PositionalEncoding.NONE, true, false, 0.0)
        .withNorm(NormKind.LAYERNORM, 1e-3).withMlp(MlpKind.RELU2, 40).withKvHeads(1), 14);
  }

  @Test
  void theReferencesBackwardPassAgreesWithFiniteDifferences() throws Exception {
    // the reference is only as good as its hand-written backward pass: check it on its own
    Python.requireNumpy();
    JsonNode result = JSON.readTree(python("selfcheck"));
    assertTrue(result.get("worst_relative_error").asDouble() < 1e-4, result.toString());
  }

  private void compare(GPTConfig config, long seed) throws Exception {
    Python.requireNumpy();
    GPT model = GPT.create(config, seed);
    ModelExport.write(new ModelExport.Model(config, model.parameters(), "{}"), dir.resolve("model.npz"));

    double beta1 = 0.9;
    double beta2 = 0.99;
    double weightDecay = 0.1;
    double gradClip = 1.0;
    // warm-up, then cosine decay within the run; a peak rate high enough to move every weight
    LearningRateSchedule schedule =
        new LearningRateSchedule(LearningRateSchedule.Shape.COSINE, 3e-3, 3e-4, 4, STEPS);
    // a learnable stream: mostly next = (5·previous + 3) mod V, every fifth token (on average) random
    int[] stream = new int[600];
    SplitMix64 random = new SplitMix64(seed);
    for (int i = 1; i < stream.length; i++) {
      stream[i] = random.nextInt(5) == 0 ? random.nextInt(VOCAB) : (5 * stream[i - 1] + 3) % VOCAB;
    }
    BatchSampler batches = new BatchSampler(stream, B, T, new SplitMix64(seed + 1));
    AdamW optimizer = new AdamW(model.parameters(), beta1, beta2, weightDecay);
    TrainingStep trainingStep = new TrainingStep(model, optimizer, batches, gradClip, B); // one pass, as nanoGPT

    List<Object> batchList = new ArrayList<>();
    List<Double> lrs = new ArrayList<>();
    double[] losses = new double[STEPS];
    double[] norms = new double[STEPS];
    for (int step = 0; step < STEPS; step++) {
      double lr = schedule.at(step);
      TrainingStep.Result result = trainingStep.run(0L, lr);
      assertTrue(result.updated(), "step " + step + " was not applied: loss " + result.loss());
      losses[step] = result.loss();
      norms[step] = result.gradNorm();
      batchList.add(List.of(rows(result.batch().x()), rows(result.batch().y())));
      lrs.add(lr);
    }
    Map<String, Object> steps = new LinkedHashMap<>();
    steps.put("batches", batchList);
    steps.put("lrs", lrs);
    steps.put("beta1", beta1);
    steps.put("beta2", beta2);
    steps.put("weight_decay", weightDecay);
    steps.put("grad_clip", gradClip);
    steps.put("eps", AdamW.EPSILON);
    steps.put("gelu", "tanh");
    JSON.writeValue(dir.resolve("steps.json").toFile(), steps);

    python(dir.toString());
    JsonNode reference = JSON.readTree(dir.resolve("reference.json").toFile());
    int clipped = 0;
    for (int step = 0; step < STEPS; step++) {
      double loss = reference.get("losses").get(step).asDouble();
      double norm = reference.get("grad_norms").get(step).asDouble();
      assertEquals(loss, losses[step], 2e-5, "loss at step " + step);
      assertEquals(norm, norms[step], 2e-5 * norm, "gradient norm at step " + step);
      clipped += norm > gradClip ? 1 : 0;
    }
    assertTrue(losses[STEPS - 1] < losses[0] - 0.05, "the run should learn: " + losses[0] + " -> " + losses[STEPS - 1]);
    assertTrue(clipped > 0, "clipping should be exercised");

    Map<String, INDArray> expected = Nd4j.createFromNpzFile(dir.resolve("reference_final.npz").toFile());
    Map<String, INDArray> actual = model.parameters();
    assertEquals(actual.size(), expected.size(), "parameter count: " + expected.keySet());
    for (Map.Entry<String, INDArray> e : actual.entrySet()) {
      INDArray want = expected.get(e.getKey().replace('/', '.'));
      double diff = want.castTo(e.getValue().dataType()).sub(e.getValue()).amaxNumber().doubleValue();
      assertTrue(diff < 2e-5, e.getKey() + " after " + STEPS + " steps differs by " + diff);
    }
  }

  private static List<List<Integer>> rows(int[] flat) {
    List<List<Integer>> rows = new ArrayList<>();
    for (int b = 0; b < B; b++) {
      List<Integer> row = new ArrayList<>();
      for (int t = 0; t < T; t++) {
        row.add(flat[b * T + t]);
      }
      rows.add(row);
    }
    return rows;
  }

  private static Path script() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      for (Path candidate : List.of(
          p.resolve("src/test/python/nanogpt_reference.py"), p.resolve("training/src/test/python/nanogpt_reference.py"))) {
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("nanogpt_reference.py not found above " + Path.of("").toAbsolutePath());
  }

  /** Runs the reference with one argument; returns its output, failing the test on a non-zero exit. */
  private static String python(String argument) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Python.withNumpy(), script().toString(), argument).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the reference did not finish in 120 s");
    assertEquals(0, p.exitValue(), "the reference failed:\n" + out);
    return out;
  }
}
