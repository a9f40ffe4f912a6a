package minitransformer.framework.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import minitransformer.framework.GPT;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;

/** The learned token embedding table wte [V, C] as rows of doubles: one vector per token id. */
public final class TokenEmbeddings {
  private final double[][] wte; // (V, C)

  private TokenEmbeddings(double[][] wte) {
    this.wte = wte;
  }

  public static TokenEmbeddings of(GPT model) {
    return new TokenEmbeddings(Arrays2.matrix(model.parameters().get(Names.WTE)));
  }

  public int vocabSize() {
    return wte.length;
  }

  /** C. */
  public int width() {
    return wte[0].length;
  }

  /** Row id of wte (a copy). */
  public double[] vector(int id) {
    if (id < 0 || id >= wte.length) {
      throw new ModelConfigException("token id " + id + " is outside [0, vocab_size = " + wte.length + ")");
    }
    return wte[id].clone();
  }

  /** A token and its similarity to another. */
  public record Neighbour(int id, double similarity) {}

  /** The {@code top} tokens other than {@code id} with the largest similarity to it, best first. */
  public List<Neighbour> nearest(int id, int top, Similarity measure) {
    double[] a = vector(id);
    List<Neighbour> all = new ArrayList<>();
    for (int other = 0; other < wte.length; other++) {
      if (other != id) {
        all.add(new Neighbour(other, measure.of(a, wte[other])));
      }
    }
    all.sort(Comparator.comparingDouble(Neighbour::similarity).reversed().thenComparingInt(Neighbour::id));
    return List.copyOf(all.subList(0, Math.min(top, all.size())));
  }
}
