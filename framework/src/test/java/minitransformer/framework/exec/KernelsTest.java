package minitransformer.framework.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each kernel that a replayed pass runs in place of a native call ({@link Kernels}) against that
 * native call on the same arrays, and the elementwise ones against double precision: a kernel
 * with a wrong transpose, a wrong batch stride or a wrong formula fails here.
 */
class KernelsTest {
  /** matmul and matmul_bp for each pair of transpose flags, on matrices and on a batch of (2, 3) matrices. */
  @ParameterizedTest
  @CsvSource({"0,0,2", "0,1,2", "1,0,2", "1,1,2", "0,0,4", "0,1,4", "1,0,4", "1,1,4"})
  void matrixProductsMatchLibnd4j(int tx, int ty, int rank) {
    long[] batch = rank == 4 ? new long[] {2, 3} : new long[0];
    int m = 7;
    int k = 5;
    int n = 6;
    Nd4j.getRandom().setSeed(tx * 10 + ty + rank);
    INDArray x = Nd4j.randn(DataType.FLOAT, shape(batch, tx == 1 ? k : m, tx == 1 ? m : k));
    INDArray y = Nd4j.randn(DataType.FLOAT, shape(batch, ty == 1 ? n : k, ty == 1 ? k : n));
    INDArray eps = Nd4j.randn(DataType.FLOAT, shape(batch, m, n));

    INDArray z = Nd4j.create(DataType.FLOAT, shape(batch, m, n)).assign(Double.NaN);
    DynamicCustomOp mm =
        DynamicCustomOp.builder("matmul").addInputs(x, y).addOutputs(z).addIntegerArguments(tx, ty).build();
    INDArray expected = z.dup();
    Nd4j.exec(
        DynamicCustomOp.builder("matmul").addInputs(x, y).addOutputs(expected).addIntegerArguments(tx, ty).build());
    run(mm, new INDArray[] {x, y}, new INDArray[] {z});
    assertClose(expected, z, "matmul");

    INDArray dx = x.ulike().assign(Double.NaN);
    INDArray dy = y.ulike().assign(Double.NaN);
    DynamicCustomOp bp = DynamicCustomOp.builder("matmul_bp").addInputs(x, y, eps).addOutputs(dx, dy)
        .addIntegerArguments(tx, ty).build();
    INDArray dxExpected = x.ulike();
    INDArray dyExpected = y.ulike();
    Nd4j.exec(DynamicCustomOp.builder("matmul_bp").addInputs(x, y, eps).addOutputs(dxExpected, dyExpected)
        .addIntegerArguments(tx, ty).build());
    run(bp, new INDArray[] {x, y, eps}, new INDArray[] {dx, dy});
    assertClose(dxExpected, dx, "dL/dx");
    assertClose(dyExpected, dy, "dL/dy");
  }

  @Test
  void theSigmoidAndItsGradientAreWithinFloatRoundingOfDoublePrecision() {
    int n = 50_000; // several blocks and a partial one
    INDArray u = Nd4j.linspace(-30, 30, n, DataType.FLOAT);
    INDArray g = Nd4j.randn(DataType.FLOAT, n).addi(0.5);
    INDArray s = u.ulike().assign(Double.NaN);
    INDArray d = u.ulike().assign(Double.NaN);
    run(new Sigmoid(u, s), new INDArray[] {u}, new INDArray[] {s});
    run(new SigmoidDerivative(u, g, d), new INDArray[] {u, g}, new INDArray[] {d});
    INDArray native1 = Nd4j.exec(new Sigmoid(u, u.ulike()));
    double errS = 0;
    double errD = 0;
    double errNative = 0;
    for (int i = 0; i < n; i++) {
      double x = u.getDouble(i);
      double sigma = 1 / (1 + Math.exp(-x));
      errS = Math.max(errS, Math.abs(s.getDouble(i) - sigma));
      errNative = Math.max(errNative, Math.abs(native1.getDouble(i) - sigma));
      double gi = g.getDouble(i);
      errD = Math.max(errD, Math.abs(d.getDouble(i) - gi * sigma * (1 - sigma)) / Math.max(1, Math.abs(gi)));
    }
    assertTrue(errS < 3e-7, "σ: largest error " + errS + " (libnd4j's " + errNative + ")");
    assertTrue(errD < 3e-7, "g·σ': largest error " + errD + " per unit of g");
    assertEquals(n, s.length());
    assertEquals(0.5, s.getDouble(n / 2), 1e-3, "σ(0)");
  }

  @Test
  void opsAKernelDoesNotTakeKeepTheirNativeCall() {
    INDArray a = Nd4j.rand(DataType.DOUBLE, 4, 4);
    assertNull(kernel(new Sigmoid(a, a.ulike()), new INDArray[] {a}, new INDArray[] {a.ulike()}), "double");
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 4);
    INDArray view = Nd4j.rand(DataType.FLOAT, 4, 8).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4));
    DynamicCustomOp viewProduct = DynamicCustomOp.builder("matmul").addInputs(view, x).addOutputs(x.ulike()).build();
    assertNull(kernel(viewProduct, new INDArray[] {view, x}, new INDArray[] {x.ulike()}), "a strided view");
    DynamicCustomOp scaled = DynamicCustomOp.builder("matmul").addInputs(x, x).addOutputs(x.ulike())
        .addFloatingPointArguments(2.0, 0.0).build();
    assertNull(kernel(scaled, new INDArray[] {x, x}, new INDArray[] {x.ulike()}), "alpha 2");
    DynamicCustomOp transposedResult = DynamicCustomOp.builder("matmul").addInputs(x, x).addOutputs(x.ulike())
        .addIntegerArguments(0, 0, 1).build();
    assertNull(kernel(transposedResult, new INDArray[] {x, x}, new INDArray[] {x.ulike()}), "transZ");
    DynamicCustomOp plain = DynamicCustomOp.builder("matmul").addInputs(x, x).addOutputs(x.ulike()).build();
    assertNotNull(kernel(plain, new INDArray[] {x, x}, new INDArray[] {x.ulike()}), "the plain product");
  }

  private static Runnable kernel(DifferentialFunction op, INDArray[] in, INDArray[] out) {
    OpContext oc = Nd4j.getExecutioner().buildContext();
    oc.setInputArrays(in);
    oc.setOutputArrays(out);
    return Kernels.of(op, oc);
  }

  private static void run(DifferentialFunction op, INDArray[] in, INDArray[] out) {
    Runnable k = kernel(op, in, out);
    assertNotNull(k, op.opName() + " has a kernel");
    k.run();
  }

  private static long[] shape(long[] batch, long rows, long cols) {
    long[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
    s[batch.length] = rows;
    s[batch.length + 1] = cols;
    return s;
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    assertEquals(expected.shapeInfoToString(), actual.shapeInfoToString(), what);
    double err = expected.sub(actual).amaxNumber().doubleValue();
    assertTrue(err <= 1e-5, what + ": largest difference " + err); // NaN (an element not written) fails too
  }
}
