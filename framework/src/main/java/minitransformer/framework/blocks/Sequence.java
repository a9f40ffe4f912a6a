package minitransformer.framework.blocks;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import minitransformer.framework.Names;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The run-time sizes of a batch, shared by the blocks that must undo the [B*T, C] flattening of the
 * residual stream: B and T are only known when the graph runs (T may be shorter than block_size).
 *
 * <p>Each shape vector and the mask is built once per graph and shared by every block that needs
 * it: each is an op that runs every step (a concat, the mask's slice), so 4 layers asking for
 * [B, T, nh, hs] three times each would otherwise run 12 concats instead of 1.
 */
public final class Sequence {
  /** Large enough that exp(score - 1e9) is exactly 0 in float and double; finite, so no NaN. */
  public static final double MASKED = -1e9;

  /**
   * Sizes taken from the ids [B, T]; the mask is the top-left [T, T] corner of one
   * [block_size, block_size] constant.
   */
  public static Sequence of(SameDiff sd, SDVariable ids, int blockSize, DataType dataType) {
    SDVariable bt = sd.shape(ids); // (2,) = [B, T]
    SDVariable t = sd.slice(bt, new int[] {1}, 1); // (1,) = [T]
    double[][] mask = new double[blockSize][blockSize];
    for (int query = 0; query < blockSize; query++) {
      for (int key = query + 1; key < blockSize; key++) {
        mask[query][key] = MASKED;
      }
    }
    INDArray full = Nd4j.createFromArray(mask).castTo(dataType);
    SDVariable maskConstant = sd.constant(Names.CAUSAL_MASK, full); // (block_size, block_size)
    SDVariable origin = sd.constant(Nd4j.createFromArray(0L, 0L));
    SDVariable causalMask = sd.slice(maskConstant, origin, sd.concat(0, t, t)); // (T, T)
    return new Sequence(bt, t, causalMask);
  }

  private final SDVariable batchAndTime; // (2,) = [B, T], INT64
  private final SDVariable time; // (1,) = [T], INT64
  private final SDVariable causalMask; // (T, T)
  private final Map<String, SDVariable> shapes = new HashMap<>();

  private Sequence(SDVariable batchAndTime, SDVariable time, SDVariable causalMask) {
    this.batchAndTime = batchAndTime;
    this.time = time;
    this.causalMask = causalMask;
  }

  /** The vector [B, T] (INT64). */
  public SDVariable batchAndTime() {
    return batchAndTime;
  }

  /** The vector [T] (INT64). */
  public SDVariable time() {
    return time;
  }

  /** The additive causal mask [T, T]: 0 where key s <= query t, -1e9 where s > t. */
  public SDVariable causalMask() {
    return causalMask;
  }

  /** The shape vector [B, T, d1, d2, ...], one node per distinct trailing dimensions. */
  public SDVariable shapeWith(SameDiff sd, long... trailing) {
    return shapes.computeIfAbsent(
        "BT" + Arrays.toString(trailing),
        k -> sd.concat(0, batchAndTime, sd.constant(Nd4j.createFromArray(trailing))));
  }

  /** Any node built from these sizes, built once per graph under key and shared by every block. */
  public SDVariable shared(String key, java.util.function.Supplier<SDVariable> build) {
    SDVariable node = shapes.get(key);
    if (node == null) {
      node = build.get();
      shapes.put(key, node);
    }
    return node;
  }

  /** The shape vector [B, d1, d2, ...] (a d may be -1), one node per distinct trailing dimensions. */
  public SDVariable batchWith(SameDiff sd, long... trailing) {
    return shared(
        "B" + Arrays.toString(trailing),
        () -> sd.concat(0, sd.slice(batchAndTime, new int[] {0}, 1), sd.constant(Nd4j.createFromArray(trailing))));
  }

  /** The shape vector [B, d1, ..., T], one node per distinct middle dimensions. */
  public SDVariable batchWithThenTime(SameDiff sd, long... middle) {
    return shared(
        "B" + Arrays.toString(middle) + "T",
        () -> sd.concat(0, sd.slice(batchAndTime, new int[] {0}, 1), sd.constant(Nd4j.createFromArray(middle)), time));
  }

  /** The shape vector [T, d1, ...], one node per distinct trailing dimensions. */
  public SDVariable timeWith(SameDiff sd, long... trailing) {
    return shapes.computeIfAbsent(
        "T" + Arrays.toString(trailing), k -> sd.concat(0, time, sd.constant(Nd4j.createFromArray(trailing))));
  }
}
