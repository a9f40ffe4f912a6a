package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.optim.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small training states for checkpoint tests, and a bit-exact comparison. */
final class Checkpoints {
  private Checkpoints() {}

  static final Map<String, long[]> SHAPES = new LinkedHashMap<>();

  /** The architecture the states record (the store does not check it against the arrays). */
  static final GPTConfig TINY_MODEL = new GPTConfig(11, 8, 2, 2, 16, PositionalEncoding.SINUSOIDAL, false, true, 0.1);

  static {
    SHAPES.put("wte", new long[] {11, 16});
    SHAPES.put("wpe", new long[] {8, 16});
    SHAPES.put("h0/attn/W_Q", new long[] {16, 16});
    SHAPES.put("h0/ln_1/gamma", new long[] {16});
    SHAPES.put("h10/mlp/W_fc", new long[] {16, 64});
    SHAPES.put("ln_f/beta", new long[] {16});
  }

  /** A state whose arrays hold random floats plus the awkward ones: NaN with a payload, -0, subnormal, infinity. */
  static TrainingState state(long step, long seed) {
    Random random = new Random(seed);
    Map<String, INDArray> parameters = new LinkedHashMap<>();
    Map<String, INDArray> moments = new LinkedHashMap<>();
    SHAPES.forEach((name, shape) -> {
      parameters.put(name, randomArray(random, shape));
      moments.put("m/" + name, randomArray(random, shape));
      moments.put("v/" + name, randomArray(random, shape));
    });
    INDArray first = parameters.get("wte");
    first.putScalar(0, Float.intBitsToFloat(0x7fc00123)); // NaN with a payload
    first.putScalar(1, -0.0f);
    first.putScalar(2, Float.MIN_VALUE);
    first.putScalar(3, Float.NEGATIVE_INFINITY);
    return new TrainingState(step, step * 96, TINY_MODEL, "model:\n  n_layer: 2\n", "{\"kind\":\"char\",\"vocab\":[\"a\"]}",
        random.nextLong(), random.nextLong(), random.nextLong(), 0.1 + random.nextDouble(), 1.0 / 3,
        Double.NaN, parameters, moments, step, Optimizer.Kind.ADAMW);
  }

  private static INDArray randomArray(Random random, long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    float[] values = new float[(int) n];
    for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian() * 0.02f;
    return Nd4j.create(values, shape, 'c');
  }

  /** Every field equal, arrays equal bit for bit, maps in the same order. */
  static void assertSameState(TrainingState expected, TrainingState actual) {
    assertEquals(expected.step(), actual.step());
    assertEquals(expected.tokensSeen(), actual.tokensSeen());
    assertEquals(expected.model(), actual.model());
    assertEquals(expected.resolvedConfigYaml(), actual.resolvedConfigYaml());
    assertEquals(expected.tokenizerJson(), actual.tokenizerJson());
    assertEquals(expected.batchRngState(), actual.batchRngState());
    assertEquals(expected.evalRngState(), actual.evalRngState());
    assertEquals(expected.dropoutRngState(), actual.dropoutRngState());
    assertEquals(Double.doubleToRawLongBits(expected.bestValLoss()), Double.doubleToRawLongBits(actual.bestValLoss()));
    assertEquals(Double.doubleToRawLongBits(expected.lastTrainLoss()),
        Double.doubleToRawLongBits(actual.lastTrainLoss()));
    assertEquals(Double.isNaN(expected.lastValLoss()), Double.isNaN(actual.lastValLoss()));
    assertEquals(expected.optimizerStep(), actual.optimizerStep());
    assertSameArrays(expected.parameters(), actual.parameters());
    assertSameArrays(expected.optimizerState(), actual.optimizerState());
  }

  static void assertSameArrays(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
    expected.forEach((name, e) -> {
      INDArray a = actual.get(name);
      assertArrayEquals(e.shape(), a.shape(), name);
      assertEquals(e.dataType(), a.dataType(), name);
      assertArrayEquals(bits(e), bits(a), name + " differs in its bits");
    });
  }

  static int[] bits(INDArray array) {
    if (array.dataType() != DataType.FLOAT) throw new IllegalArgumentException("float arrays only");
    float[] values = array.dup('c').data().asFloat();
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) bits[i] = Float.floatToRawIntBits(values[i]);
    return bits;
  }
}
