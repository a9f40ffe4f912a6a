package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** The graph (float32, the training type) against the plain-Java reference, logits within 1e-5. */
class ReferenceTest {
  @ParameterizedTest
  @CsvSource({"LEARNED, true, true", "SINUSOIDAL, false, false", "LEARNED, true, false"})
  void graphMatchesPlainJava(PositionalEncoding pe, boolean bias, boolean tied) {
    GPTConfig config = TinyConfigs.tiny(pe, bias, tied, 0.1); // dropout off in eval mode
    GPT gpt = GPT.create(config, 21);
    // Weights larger than the 0.02 init and non-trivial gammas/betas so every part shows in the logits.
    Random rng = Nd4j.getRandomFactory().getNewRandomInstance(5);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((name, w) -> {
      INDArray v = Nd4j.randn(rng, w.shape()).muli(0.15).castTo(w.dataType());
      if (name.endsWith("gamma")) {
        v.addi(1.0);
      }
      values.put(name, v);
    });
    gpt.loadParameters(values);

    int B = 2;
    int T = 7; // shorter than block_size 8
    INDArray ids = TinyConfigs.randomIds(B, T, TinyConfigs.V, 3);
    INDArray targets = TinyConfigs.randomIds(B, T, TinyConfigs.V, 4);
    int[][] idRows = ids.toIntMatrix();
    ReferenceGPT reference = new ReferenceGPT(config, gpt.parameters());
    double[][][] expected = reference.logits(idRows);
    INDArray logits = gpt.logits(ids);
    double maxAbs = 0;
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        for (int v = 0; v < TinyConfigs.V; v++) {
          assertEquals(expected[b][t][v], logits.getDouble(b, t, v), 1e-5, "logit " + b + "," + t + "," + v);
          maxAbs = Math.max(maxAbs, Math.abs(expected[b][t][v]));
        }
      }
    }
    assertEquals(reference.loss(idRows, targets.toIntMatrix()), gpt.loss(ids, targets), 1e-5);
    org.junit.jupiter.api.Assertions.assertTrue(maxAbs > 0.1, "logits too small to test anything: " + maxAbs);
  }
}
