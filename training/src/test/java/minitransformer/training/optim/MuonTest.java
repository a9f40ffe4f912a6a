package minitransformer.training.optim;

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
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.Python;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Muon against its NumPy form ({@code src/test/python/muon_reference.py}, written from Keller
 * Jordan's muon.py in PyTorch's [out, in] layout), Newton–Schulz's singular values, the split
 * between Muon and AdamW, and AdamW's part.
 */
class MuonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double MOMENTUM = 0.95;
  private static final double WEIGHT_DECAY = 0.1;
  private static final double MUON_LR = 0.02;
  private static final double PEAK_LR = 1e-3;
  /** The schedule's rates of three steps: Muon's are 0.02, 0.012 and 0.004. */
  private static final double[] LRS = {1e-3, 6e-4, 2e-4};

  @TempDir Path dir;

  /** A square attention matrix, the MLP's wide W_fc [C, 4C] (scale 2) and tall W_proj [4C, C] (scale 1). */
  private static Map<String, INDArray> parameters(DataType type, Random random) {
    Map<String, INDArray> p = new LinkedHashMap<>();
    p.put("wte", gaussian(type, random, 0.02, 11, 16));
    p.put("h0/attn/W_Q", gaussian(type, random, 0.02, 16, 16));
    p.put("h0/ln_1/gamma", Nd4j.ones(type, 16));
    p.put("h0/mlp/W_fc", gaussian(type, random, 0.02, 16, 64));
    p.put("h0/mlp/W_proj", gaussian(type, random, 0.02, 64, 16));
    return p;
  }

  private static INDArray gaussian(DataType type, Random random, double std, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    double[] values = new double[(int) a.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = std * random.nextGaussian();
    }
    return Nd4j.createFromArray(values).reshape(shape).castTo(type);
  }

  private static Muon muon(Map<String, INDArray> p) {
    HiddenMatrices split = HiddenMatrices.of(p, 1);
    return new Muon(
        split.matrices(), new Muon.Settings(MUON_LR, MOMENTUM, WEIGHT_DECAY, PEAK_LR),
        new AdamW(split.rest(), 0.9, 0.99, 0.1));
  }

  /**
   * Three steps in float32 (as training runs) and float64: every step's orthogonalized, shape-scaled
   * update, the momentum buffers and the final matrices agree with NumPy's float64 within 1e-5 (float32)
   * and 1e-10 (float64).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void matchesTheNumPyReference(DataType type) throws Exception {
    Python.requireNumpy();
    double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-10;
    Random random = new Random(23);
    Map<String, INDArray> p = parameters(type, random);
    Muon muon = muon(p);
    Set<String> matrices = muon.muonParameters();

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("momentum", MOMENTUM);
    spec.put("weight_decay", WEIGHT_DECAY);
    Map<String, Object> initial = new LinkedHashMap<>();
    matrices.forEach(name -> initial.put(name, rows(p.get(name))));
    spec.put("parameters", initial);
    List<Object> steps = new ArrayList<>();
    List<Map<String, INDArray>> updates = new ArrayList<>();
    for (double lr : LRS) {
      Map<String, INDArray> gradients = new LinkedHashMap<>();
      p.forEach((name, w) -> gradients.put(name, gaussian(type, random, 1.0, w.shape())));
      double eta = muon.muonLearningRate(lr);
      Map<String, INDArray> before = new LinkedHashMap<>();
      matrices.forEach(name -> before.put(name, p.get(name).castTo(DataType.DOUBLE).dup()));
      muon.step(gradients, lr);
      // the update as applied: (W·(1 - η·λ) - W') / η
      Map<String, INDArray> update = new LinkedHashMap<>();
      matrices.forEach(name -> update.put(name,
          before.get(name).mul(1 - eta * WEIGHT_DECAY).subi(p.get(name).castTo(DataType.DOUBLE)).divi(eta)));
      updates.add(update);
      Map<String, Object> stepGradients = new LinkedHashMap<>();
      matrices.forEach(name -> stepGradients.put(name, rows(gradients.get(name))));
      steps.add(Map.of("lr", eta, "gradients", stepGradients));
    }
    spec.put("steps", steps);
    JSON.writeValue(dir.resolve("muon_steps.json").toFile(), spec);

    runReference(dir);
    JsonNode reference = JSON.readTree(dir.resolve("muon_reference.json").toFile());
    double worstUpdate = 0;
    for (int step = 0; step < LRS.length; step++) {
      for (String name : matrices) {
        double diff = maxAbsDiff(reference.get("updates").get(step).get(name), updates.get(step).get(name));
        worstUpdate = Math.max(worstUpdate, diff);
        assertTrue(diff < tolerance, name + " update at step " + step + " differs by " + diff + ": java "
            + updates.get(step).get(name).getRow(0) + " numpy " + reference.get("updates").get(step).get(name).get(0));
      }
    }
    double worstState = 0;
    for (String name : matrices) {
      double momentumDiff = maxAbsDiff(reference.get("momentum").get(name), muon.state().get(Muon.MOMENTUM + name));
      double weightDiff = maxAbsDiff(reference.get("parameters").get(name), p.get(name));
      worstState = Math.max(worstState, Math.max(momentumDiff, weightDiff));
      assertTrue(momentumDiff < tolerance, name + " momentum differs by " + momentumDiff);
      assertTrue(weightDiff < tolerance, name + " after " + LRS.length + " steps differs by " + weightDiff);
    }
    // the reference's own check: NS5 never pushes a singular value above about 1.2 (a square Gaussian
    // matrix has some too small to reach 0.7 in five iterations, see the test below)
    for (JsonNode stepValues : reference.get("singular_values")) {
      stepValues.forEach(values -> values.forEach(s -> assertTrue(s.asDouble() < 1.21, values.toString())));
    }
    System.out.printf(Locale.ROOT, "Muon vs NumPy (%s): worst update difference %.2e, worst momentum/weight %.2e%n",
        type, worstUpdate, worstState);
  }

  /**
   * Keller Jordan: the quintic does not converge to U·Vᵀ but to U·S'·Vᵀ with S' in about [0.7, 1.2]
   * (for singular values of G/‖G‖_F above about 0.002, here all of them: Gaussian matrices of aspect
   * 4 have a condition number near 3). In float32, as training runs it.
   */
  @Test
  void newtonSchulzGivesSingularValuesNearOne() {
    Random random = new Random(5);
    for (long[] shape : new long[][] {{32, 128}, {128, 32}, {16, 64}}) {
      INDArray g = gaussian(DataType.FLOAT, random, 3.0, shape);
      INDArray o = Muon.orthogonalize(g);
      assertEquals(DataType.FLOAT, o.dataType());
      assertEquals(List.of(shape[0], shape[1]), List.of(o.shape()[0], o.shape()[1]));
      double[] s = singularValues(o);
      for (double value : s) {
        assertTrue(value > 0.68 && value < 1.21, "singular value " + value + " of NS5(" + shape[0] + "x" + shape[1] + ")");
      }
      // and it keeps G's direction: <O, G> / (‖O‖·‖G‖) close to 1 (U·Vᵀ's is the nuclear over
      // Frobenius norms, about 0.95 here)
      double cosine = o.castTo(DataType.DOUBLE).mul(g.castTo(DataType.DOUBLE)).sumNumber().doubleValue()
          / (o.norm2Number().doubleValue() * g.norm2Number().doubleValue());
      assertTrue(cosine > 0.9, "cosine " + cosine);
    }
  }

  /** Singular values from the eigenvalues of the smaller Gram matrix. */
  private static double[] singularValues(INDArray m) {
    INDArray x = m.castTo(DataType.DOUBLE);
    INDArray gram = m.rows() <= m.columns() ? x.mmul(x.transpose()) : x.transpose().mmul(x);
    INDArray eigenvalues = Eigen.symmetricGeneralizedEigenvalues(gram.dup());
    double[] s = eigenvalues.toDoubleVector();
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.sqrt(Math.max(0, s[i]));
    }
    return s;
  }

  @Test
  void hiddenMatricesAreTheBlocksWeightMatricesOnly() {
    GPTConfig config = new GPTConfig(11, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, false, 0.0);
    HiddenMatrices split = HiddenMatrices.of(GPT.create(config, 1).parameters(), config.nLayer());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      for (String m : List.of("attn/W_Q", "attn/W_K", "attn/W_V", "attn/W_O", "mlp/W_fc", "mlp/W_proj")) {
        expected.add("h" + i + "/" + m);
      }
    }
    assertEquals(Set.copyOf(expected), split.matrices().keySet());
    assertTrue(split.rest().keySet().containsAll(List.of("wte", "wpe", "lm_head/W", "ln_f/gamma", "h0/ln_1/gamma",
        "h0/attn/b_Q", "h1/mlp/b_fc")), split.rest().keySet().toString());
    split.rest().forEach((name, p) -> assertTrue(p.rank() == 1 || !name.startsWith("h"), name));
  }

  @Test
  void shapeScaleIsMuonsOnTheOutInLayout() {
    assertEquals(2.0, Muon.shapeScale(Nd4j.zeros(DataType.FLOAT, 128, 512)), 0); // W_fc [C, 4C]: out/in = 4
    assertEquals(1.0, Muon.shapeScale(Nd4j.zeros(DataType.FLOAT, 512, 128)), 0); // W_proj [4C, C]
    assertEquals(1.0, Muon.shapeScale(Nd4j.zeros(DataType.FLOAT, 128, 128)), 0); // W_Q
  }

  /** The embeddings, norms and biases get exactly what AdamW alone would give them. */
  @Test
  void theRestIsAdamWsStep() {
    Map<String, INDArray> p = parameters(DataType.FLOAT, new Random(3));
    Map<String, INDArray> alone = new LinkedHashMap<>();
    p.forEach((name, w) -> alone.put(name, w.dup()));
    Muon muon = muon(p);
    AdamW adamW = new AdamW(alone, 0.9, 0.99, 0.1);
    Random random = new Random(4);
    for (double lr : LRS) {
      Map<String, INDArray> gradients = new LinkedHashMap<>();
      p.forEach((name, w) -> gradients.put(name, gaussian(DataType.FLOAT, random, 1.0, w.shape())));
      muon.step(gradients, lr);
      adamW.step(gradients, lr);
    }
    for (String name : List.of("wte", "h0/ln_1/gamma")) {
      assertEquals(alone.get(name), p.get(name), name);
    }
    assertEquals(LRS.length, muon.stepCount());
    assertEquals(Set.of("m/wte", "v/wte", "m/h0/ln_1/gamma", "v/h0/ln_1/gamma", "momentum/h0/attn/W_Q",
        "momentum/h0/mlp/W_fc", "momentum/h0/mlp/W_proj"), muon.state().keySet());
  }

  private static List<List<Double>> rows(INDArray m) {
    double[][] values = m.castTo(DataType.DOUBLE).toDoubleMatrix();
    List<List<Double>> rows = new ArrayList<>();
    for (double[] row : values) {
      List<Double> r = new ArrayList<>();
      for (double v : row) {
        r.add(v);
      }
      rows.add(r);
    }
    return rows;
  }

  private static double maxAbsDiff(JsonNode expected, INDArray actual) {
    double[][] values = actual.castTo(DataType.DOUBLE).toDoubleMatrix();
    assertEquals(expected.size(), values.length);
    double worst = 0;
    for (int i = 0; i < values.length; i++) {
      assertEquals(expected.get(i).size(), values[i].length);
      for (int j = 0; j < values[i].length; j++) {
        worst = Math.max(worst, Math.abs(expected.get(i).get(j).asDouble() - values[i][j]));
      }
    }
    return worst;
  }

  private static Path script() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      for (Path candidate : List.of(
          p.resolve("src/test/python/muon_reference.py"), p.resolve("training/src/test/python/muon_reference.py"))) {
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("muon_reference.py not found above " + Path.of("").toAbsolutePath());
  }

  private static void runReference(Path directory) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Python.withNumpy(), script().toString(), directory.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the reference did not finish in 60 s");
    assertEquals(0, p.exitValue(), "the reference failed:\n" + out);
  }
}
