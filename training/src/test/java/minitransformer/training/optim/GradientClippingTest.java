package minitransformer.training.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradientClippingTest {

  private static Map<String, INDArray> gradients() {
    Map<String, INDArray> g = new LinkedHashMap<>();
    g.put("w", Nd4j.createFromArray(new float[][] {{3, 0}, {0, 4}})); // squares sum 25
    g.put("b", Nd4j.createFromArray(new float[] {12, 0, 0})); // 144
    return g; // global norm sqrt(169) = 13
  }

  @Test
  void globalNormByHand() {
    assertEquals(13.0, GradientClipping.globalNorm(gradients()), 1e-6);
  }

  @Test
  void clipsAllGradientsTogetherAndReportsThePreClipNorm() {
    Map<String, INDArray> g = gradients();
    double norm = GradientClipping.clipByGlobalNorm(g, 1.0);
    assertEquals(13.0, norm, 1e-6);
    double scale = 1.0 / (13.0 + 1e-6);
    assertArrayEquals(new float[] {(float) (3 * scale), 0, 0, (float) (4 * scale)},
        g.get("w").ravel().toFloatVector(), 1e-7f);
    assertArrayEquals(new float[] {(float) (12 * scale), 0, 0}, g.get("b").toFloatVector(), 1e-7f);
    assertEquals(1.0, GradientClipping.globalNorm(g), 1e-5);
  }

  @Test
  void leavesSmallGradientsAndDisabledClippingAlone() {
    Map<String, INDArray> g = gradients();
    assertEquals(13.0, GradientClipping.clipByGlobalNorm(g, 20.0), 1e-6);
    assertArrayEquals(new float[] {12, 0, 0}, g.get("b").toFloatVector(), 0f);
    assertEquals(13.0, GradientClipping.clipByGlobalNorm(g, 0.0), 1e-6);
    assertArrayEquals(new float[] {12, 0, 0}, g.get("b").toFloatVector(), 0f);
  }
}
