package minitransformer.framework.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link TokenEmbeddings#nearest} by partial selection against the plain definition: every other row's
 * similarity by {@link Similarity#of} on the rows as doubles, all of them sorted (best first, then the
 * lower id), the first N kept.
 */
class TokenEmbeddingsTest {
  private static final int V = 50_257; // GPT-2's vocabulary
  private static final int C = 48;

  @Test
  void nearestOverAGpt2SizedVocabularyEqualsTheSortedBruteForce() {
    float[] values = new float[V * C];
    Random random = new Random(22);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    // rows that tie: exact copies (same cosine, so the lower id comes first), a scaled copy (cosine 1
    // up to rounding), an opposite one, and a zero row (cosine 0 by definition)
    for (int copy : new int[] {40_001, 17, 50_256, 3}) {
      System.arraycopy(values, 123 * C, values, copy * C, C);
    }
    for (int c = 0; c < C; c++) {
      values[999 * C + c] = 2 * values[123 * C + c];
      values[1000 * C + c] = -values[123 * C + c];
      values[5 * C + c] = 0;
    }
    INDArray wte = Nd4j.create(values, new long[] {V, C}, DataType.FLOAT);
    TokenEmbeddings embeddings = TokenEmbeddings.of(wte);
    double[][] rows = new double[V][];
    for (int v = 0; v < V; v++) {
      rows[v] = embeddings.vector(v);
      assertEquals(values[v * C + 7], rows[v][7], 0.0);
    }
    for (Similarity measure : Similarity.values()) {
      for (int id : new int[] {123, 5, 0, V - 1}) {
        for (int top : new int[] {1, 10, 200, V - 1, V + 5}) {
          assertEquals(bruteForce(rows, id, top, measure), embeddings.nearest(id, top, measure),
              measure + " of " + id + ", top " + top);
        }
      }
    }
  }

  @Test
  void theCopiesOfARowComeFirstInTheOrderOfTheirIds() {
    INDArray wte = Nd4j.rand(DataType.FLOAT, 300, 8).subi(0.5);
    for (int copy : new int[] {250, 40, 41}) {
      wte.getRow(copy).assign(wte.getRow(100));
    }
    List<TokenEmbeddings.Neighbour> nearest = TokenEmbeddings.of(wte).nearest(100, 3, Similarity.COSINE);
    assertEquals(List.of(40, 41, 250), nearest.stream().map(TokenEmbeddings.Neighbour::id).toList());
  }

  private static List<TokenEmbeddings.Neighbour> bruteForce(double[][] rows, int id, int top, Similarity measure) {
    List<TokenEmbeddings.Neighbour> all = new ArrayList<>();
    for (int other = 0; other < rows.length; other++) {
      if (other != id) {
        all.add(new TokenEmbeddings.Neighbour(other, measure.of(rows[id], rows[other])));
      }
    }
    all.sort(Comparator.comparingDouble(TokenEmbeddings.Neighbour::similarity).reversed()
        .thenComparingInt(TokenEmbeddings.Neighbour::id));
    return all.subList(0, Math.min(top, all.size()));
  }
}
