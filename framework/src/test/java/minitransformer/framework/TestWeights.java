package minitransformer.framework;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** Replaces a model's weights with larger random ones, so that tests see more than near-uniform outputs. */
final class TestWeights {
  private TestWeights() {}

  static void randomise(GPT gpt, double std, long seed) {
    Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    Map<String, INDArray> values = new HashMap<>();
    gpt.parameters().forEach((name, w) -> {
      INDArray v = Nd4j.randn(rng, w.shape()).muli(std).castTo(w.dataType());
      if (name.endsWith("gamma")) {
        v.addi(1.0);
      }
      values.put(name, v);
    });
    gpt.loadParameters(values);
  }
}
