package minitransformer.framework.analysis;

import java.util.ArrayList;
import java.util.List;
import minitransformer.framework.GPT;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention pattern of every layer and head for one sequence, read from the graph's named
 * softmax outputs {@link Names#attentionProbs}(i): weight(l, h, t, s) is how much query position t
 * attends to key position s in head h of block l (0 for s > t, each row sums to 1).
 *
 * @param ids the sequence, length T
 * @param weights [layer][head][query t][key s]
 */
public record AttentionMaps(int[] ids, double[][][][] weights) {
  public AttentionMaps {
    ids = ids.clone();
    if (weights.length == 0) {
      throw new IllegalArgumentException("no layers");
    }
    for (double[][][] layer : weights) {
      for (double[][] head : layer) {
        if (head.length != ids.length || head[0].length != ids.length) {
          throw new IllegalArgumentException("each head needs a [T, T] map for T = " + ids.length);
        }
      }
    }
  }

  /** Runs the model in eval mode on one sequence (1 <= T <= block_size) and keeps every pattern. */
  public static AttentionMaps of(GPT model, int[] ids) {
    int L = model.config().nLayer();
    int nh = model.config().nHead();
    int T = ids.length;
    List<String> names = new ArrayList<>();
    for (int l = 0; l < L; l++) {
      names.add(Names.attentionProbs(l));
    }
    var outputs = model.outputs(GPT.idsArray(ids, 1, T), names);
    double[][][][] weights = new double[L][nh][T][T];
    for (int l = 0; l < L; l++) {
      INDArray probs = outputs.get(Names.attentionProbs(l)); // (1, nh, T, T)
      double[] f = Arrays2.flat(probs);
      for (int h = 0; h < nh; h++) {
        for (int t = 0; t < T; t++) {
          System.arraycopy(f, (h * T + t) * T, weights[l][h][t], 0, T);
        }
      }
    }
    return new AttentionMaps(ids, weights);
  }

  public int layers() {
    return weights.length;
  }

  public int heads() {
    return weights[0].length;
  }

  /** T, the sequence length. */
  public int length() {
    return ids.length;
  }

  public double weight(int layer, int head, int query, int key) {
    return weights[layer][head][query][key];
  }

  /** The [T, T] map of one head (a copy). */
  public double[][] map(int layer, int head) {
    double[][] m = new double[length()][];
    for (int t = 0; t < length(); t++) {
      m[t] = weights[layer][head][t].clone();
    }
    return m;
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }
}
