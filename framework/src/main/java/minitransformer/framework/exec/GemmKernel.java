package minitransformer.framework.exec;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * libnd4j's {@code matmul} and {@code matmul_bp} as {@code cblas_sgemm} calls on an op's bound
 * float arrays: transpose flags instead of libnd4j's handling of transposed operands, and one call
 * per matrix of a batch. The same OpenBLAS as libnd4j's: on the char model's shapes the same bits,
 * and within 1e-5 of libnd4j for every pair of transpose flags (KernelsTest). Built once per op
 * when a plan binds it; null when the op's arguments are not the plain case: float arrays in C
 * order with default strides, equal batch dimensions, no transposed result, alpha 1 and beta 0
 * (the arguments of the products the model's graphs build).
 */
final class GemmKernel implements Runnable {
  /** One row-major sgemm: c (m, n) = op(a) (m, k) · op(b) (k, n). */
  private record Call(boolean ta, boolean tb, int m, int n, int k,
      FloatPointer a, int lda, FloatPointer b, int ldb, FloatPointer c, int ldc) {}

  private final List<Call> calls = new ArrayList<>();

  private GemmKernel() {}

  @Override
  public void run() {
    for (Call c : calls) {
      cblas_sgemm(CblasRowMajor, c.ta() ? CblasTrans : CblasNoTrans, c.tb() ? CblasTrans : CblasNoTrans,
          c.m(), c.n(), c.k(), 1f, c.a(), c.lda(), c.b(), c.ldb(), 0f, c.c(), c.ldc());
    }
  }

  /** z = op(x)·op(y) for matmul's inputs (x, y), output z and iArgs (transX, transY, transZ). */
  static GemmKernel matmul(INDArray x, INDArray y, INDArray z, long[] iArgs, double[] tArgs) {
    if (!plain(iArgs, tArgs)) {
      return null;
    }
    GemmKernel k = new GemmKernel();
    return k.product(x, flag(iArgs, 0), y, flag(iArgs, 1), z) ? k : null;
  }

  /**
   * dL/dx and dL/dy of z = op(x)·op(y) from dL/dz (eps): for transX, transY = (0,0) dx = eps·yᵀ and
   * dy = xᵀ·eps; (0,1) dx = eps·y, dy = epsᵀ·x; (1,0) dx = y·epsᵀ, dy = x·eps; (1,1) dx = yᵀ·epsᵀ,
   * dy = epsᵀ·xᵀ.
   */
  static GemmKernel matmulBp(INDArray x, INDArray y, INDArray eps, INDArray dx, INDArray dy,
      long[] iArgs, double[] tArgs) {
    if (!plain(iArgs, tArgs)) {
      return null;
    }
    boolean tx = flag(iArgs, 0);
    boolean ty = flag(iArgs, 1);
    GemmKernel k = new GemmKernel();
    boolean ok = tx
        ? k.product(y, ty, eps, true, dx) && k.product(ty ? eps : x, ty, ty ? x : eps, ty, dy)
        : k.product(eps, false, y, !ty, dx)
            && (ty ? k.product(eps, true, x, false, dy) : k.product(x, true, eps, false, dy));
    return ok ? k : null;
  }

  /** Adds the calls for c = op(a)·op(b) over the batch dimensions; false when it is not the plain case. */
  private boolean product(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c) {
    int r = c.rank();
    if (r < 2 || a.rank() != r || b.rank() != r || !dense(a) || !dense(b) || !dense(c)) {
      return false;
    }
    for (int d = 0; d < r - 2; d++) {
      if (a.size(d) != c.size(d) || b.size(d) != c.size(d)) {
        return false;
      }
    }
    int aRows = (int) a.size(r - 2);
    int aCols = (int) a.size(r - 1);
    int bRows = (int) b.size(r - 2);
    int bCols = (int) b.size(r - 1);
    int m = ta ? aCols : aRows;
    int k = ta ? aRows : aCols;
    int n = tb ? bRows : bCols;
    if ((tb ? bCols : bRows) != k || c.size(r - 2) != m || c.size(r - 1) != n || k == 0) {
      return false;
    }
    long matrices = c.length() / ((long) m * n);
    FloatPointer pa = pointer(a);
    FloatPointer pb = pointer(b);
    FloatPointer pc = pointer(c);
    for (long i = 0; i < matrices; i++) {
      calls.add(new Call(ta, tb, m, n, k, pa.getPointer(i * aRows * aCols), aCols,
          pb.getPointer(i * bRows * bCols), bCols, pc.getPointer(i * m * n), n));
    }
    return true;
  }

  private static boolean plain(long[] iArgs, double[] tArgs) {
    boolean unitAlpha =
        tArgs == null || tArgs.length == 0 || (tArgs[0] == 1.0 && (tArgs.length < 2 || tArgs[1] == 0.0));
    return unitAlpha && !flag(iArgs, 2) && (iArgs == null || iArgs.length <= 3);
  }

  private static boolean flag(long[] iArgs, int i) {
    return iArgs != null && iArgs.length > i && iArgs[i] != 0;
  }

  /** A float array in C order with default strides that starts its buffer (not a view). */
  static boolean dense(INDArray a) {
    return a.dataType() == DataType.FLOAT && a.length() > 0 && a.ordering() == 'c' && a.offset() == 0
        && Arrays.equals(a.stride(), ArrayUtil.calcStrides(a.shape())) && a.data().length() >= a.length();
  }

  private static FloatPointer pointer(INDArray a) {
    return (FloatPointer) a.data().addressPointer();
  }
}
