package minitransformer.framework;

import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The tiny configurations and batches the tests share (vocab 11, T 8, C 16, 2 layers, 2 heads). */
public final class TinyConfigs {
  public static final int V = 11;
  public static final int T = 8;
  static final int C = 16;

  private TinyConfigs() {}

  public static GPTConfig tiny() {
    return tiny(PositionalEncoding.LEARNED, true, true, 0.0);
  }

  static GPTConfig tiny(PositionalEncoding pe, boolean bias, boolean tied, double dropout) {
    return new GPTConfig(V, T, 2, 2, C, pe, bias, tied, dropout);
  }

  /** B rows of T random ids in [0, vocab). */
  public static INDArray randomIds(int batch, int time, int vocab, long seed) {
    Random random = new Random(seed);
    int[] flat = new int[batch * time];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = random.nextInt(vocab);
    }
    return GPT.idsArray(flat, batch, time);
  }
}
