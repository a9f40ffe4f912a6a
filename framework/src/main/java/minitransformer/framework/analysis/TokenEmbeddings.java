package minitransformer.framework.analysis;

import java.util.ArrayList;
import java.util.List;
import minitransformer.framework.GPT;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learned token embedding table wte [V, C]: one vector per token id. It is held as one flat
 * float32 array, as the model holds it (GPT-2's 50,257 × 768 table is 154 MB so, twice that as
 * double[][]), with each row's length computed once; every product is summed in double precision,
 * so a similarity equals {@link Similarity#of} on the rows as doubles bit for bit.
 */
public final class TokenEmbeddings {
  private final float[] wte; // (V, C) row-major
  private final int V;
  private final int C;
  private final double[] norms; // (V): |wte[v]|, for the cosine

  private TokenEmbeddings(float[] wte, int V, int C) {
    this.wte = wte;
    this.V = V;
    this.C = C;
    this.norms = new double[V];
    for (int v = 0; v < V; v++) {
      norms[v] = Math.sqrt(dot(v, v));
    }
  }

  public static TokenEmbeddings of(GPT model) {
    return of(model.parameters().get(Names.WTE));
  }

  /** The table of a [V, C] array (its values are copied). */
  public static TokenEmbeddings of(INDArray wte) {
    if (wte.rank() != 2) {
      throw new IllegalArgumentException("expected a matrix, got shape " + java.util.Arrays.toString(wte.shape()));
    }
    float[] flat = wte.castTo(DataType.FLOAT).dup('c').data().asFloat();
    return new TokenEmbeddings(flat, (int) wte.size(0), (int) wte.size(1));
  }

  public int vocabSize() {
    return V;
  }

  /** C. */
  public int width() {
    return C;
  }

  /** Row id of wte, as doubles (a copy). */
  public double[] vector(int id) {
    check(id);
    double[] row = new double[C];
    for (int c = 0; c < C; c++) {
      row[c] = wte[id * C + c];
    }
    return row;
  }

  /** A token and its similarity to another. */
  public record Neighbour(int id, double similarity) {}

  /**
   * The {@code top} tokens other than {@code id} with the largest similarity to it, best first (ties:
   * the lower id first). One pass over the rows, each product a tight loop over its C floats, keeps
   * the best so far in a bounded heap of ids: O(V·C + V·log top) time and O(top) memory beyond the
   * V similarities, with no object per token (a 50,257-token vocabulary is one pass over 38.6M floats).
   */
  public List<Neighbour> nearest(int id, int top, Similarity measure) {
    check(id);
    double[] scores = new double[V];
    for (int other = 0; other < V; other++) {
      scores[other] = similarity(measure, id, other);
    }
    int k = Math.max(0, Math.min(top, V - 1));
    TopK best = new TopK(scores, k);
    for (int other = 0; other < V; other++) {
      if (other != id) {
        best.offer(other);
      }
    }
    List<Neighbour> result = new ArrayList<>(k);
    for (int other : best.sorted()) {
      result.add(new Neighbour(other, scores[other]));
    }
    return List.copyOf(result);
  }

  /** measure(wte[a], wte[b]), as {@link Similarity#of} computes it on the rows as doubles. */
  private double similarity(Similarity measure, int a, int b) {
    double dot = dot(a, b);
    return switch (measure) {
      case DOT -> dot;
      case COSINE -> {
        double n = norms[a] * norms[b];
        yield n == 0.0 ? 0.0 : dot / n;
      }
      case SCALED_DOT -> dot / Math.sqrt(C);
    };
  }

  /** wte[a]·wte[b], summed in double precision in the order of the columns. */
  private double dot(int a, int b) {
    int i = a * C;
    int j = b * C;
    double s = 0;
    for (int c = 0; c < C; c++) {
      s += (double) wte[i + c] * (double) wte[j + c];
    }
    return s;
  }

  private void check(int id) {
    if (id < 0 || id >= V) {
      throw new ModelConfigException("token id " + id + " is outside [0, vocab_size = " + V + ")");
    }
  }
}
