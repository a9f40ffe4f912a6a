package minitransformer.framework.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.IntConsumer;
import minitransformer.framework.GPT;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Autoregressive generation with a full-context forward pass per token (no KV cache): the model
 * reads at most the last block_size tokens, the last position's logits give the next token.
 *
 * <p>Order of the filters, as in Hugging Face's generate: temperature, then top-k, then top-p,
 * then a draw from the renormalised distribution. Ties are broken by the lower token id, so a
 * seed always gives the same text.
 */
public final class Sampler {
  private final GPT model;

  public Sampler(GPT model) {
    this.model = model;
  }

  /**
   * Generates n tokens after the prompt, passing each to onToken as soon as it is chosen.
   *
   * @return the n new tokens (without the prompt)
   */
  public int[] generate(int[] prompt, int n, SamplingOptions options, IntConsumer onToken) {
    return generate(prompt, n, options, OptionalInt.empty(), onToken);
  }

  /**
   * As {@link #generate(int[], int, SamplingOptions, IntConsumer)}, ending early after stop (an
   * end-of-text token) when it is drawn: it is passed to onToken and is the last of the tokens returned.
   */
  public int[] generate(int[] prompt, int n, SamplingOptions options, OptionalInt stop, IntConsumer onToken) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt must hold at least one token");
    }
    Random random = new Random(options.seed());
    List<Integer> context = new ArrayList<>();
    for (int id : prompt) {
      context.add(id);
    }
    int[] generated = new int[n];
    for (int i = 0; i < n; i++) {
      double[] logits = lastLogits(context);
      int next = choose(logits, options, random);
      generated[i] = next;
      context.add(next);
      onToken.accept(next);
      if (stop.isPresent() && next == stop.getAsInt()) {
        return Arrays.copyOf(generated, i + 1);
      }
    }
    return generated;
  }

  /** The topN most likely next tokens after context, best first (ties: lower id first). */
  public List<Prediction> predictNext(int[] context, int topN) {
    return top(nextLogits(context), topN);
  }

  /** The logits after context, [vocab_size], reading only its last block_size tokens. */
  public double[] nextLogits(int[] context) {
    if (context.length == 0) {
      throw new IllegalArgumentException("the context must hold at least one token");
    }
    List<Integer> list = new ArrayList<>();
    for (int id : context) {
      list.add(id);
    }
    return lastLogits(list);
  }

  /** The topN most likely tokens under softmax(logits), best first (ties: lower id first). */
  public static List<Prediction> top(double[] logits, int topN) {
    double[] logProbs = logSoftmax(logits);
    Integer[] order = byDescending(logProbs);
    List<Prediction> best = new ArrayList<>();
    for (int r = 0; r < Math.min(topN, order.length); r++) {
      int id = order[r];
      best.add(new Prediction(id, Math.exp(logProbs[id]), logProbs[id]));
    }
    return best;
  }

  /** Logits at the last position, reading only the last block_size tokens of the context. */
  private double[] lastLogits(List<Integer> context) {
    int blockSize = model.config().blockSize();
    int from = Math.max(0, context.size() - blockSize);
    int[] window = context.subList(from, context.size()).stream().mapToInt(Integer::intValue).toArray();
    INDArray logits = model.logits(GPT.idsArray(window, 1, window.length)); // (1, T, V)
    return logits.get(
            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.point(window.length - 1),
            org.nd4j.linalg.indexing.NDArrayIndex.all())
        .toDoubleVector();
  }

  /**
   * The distribution {@link #generate} draws the next token from, [vocab_size]: softmax(logits / T)
   * after top-k and top-p; for temperature 0 (greedy) all mass on the most likely token.
   */
  public static double[] drawProbabilities(double[] logits, SamplingOptions options) {
    if (options.temperature() == 0.0) {
      double[] oneHot = new double[logits.length];
      oneHot[byDescending(logits)[0]] = 1.0;
      return oneHot;
    }
    double[] scaled = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      scaled[i] = logits[i] / options.temperature();
    }
    return filteredProbabilities(scaled, options.topK(), options.topP());
  }

  /** Picks one token id from logits under the options; package-private for tests. */
  static int choose(double[] logits, SamplingOptions options, Random random) {
    if (options.temperature() == 0.0) {
      return byDescending(logits)[0];
    }
    double[] probs = drawProbabilities(logits, options);
    double u = random.nextDouble();
    double cumulative = 0.0;
    int last = -1;
    for (int id = 0; id < probs.length; id++) {
      if (probs[id] > 0) {
        cumulative += probs[id];
        last = id;
        if (u < cumulative) {
          return id;
        }
      }
    }
    return last; // rounding: u fell past the last cumulative sum
  }

  /**
   * softmax(logits) restricted to the top-k, then to the smallest prefix (most likely first, lower
   * id first on ties) whose mass reaches p; zeros elsewhere; renormalised to sum to 1.
   */
  static double[] filteredProbabilities(double[] logits, int topK, double topP) {
    double[] probs = softmax(logits);
    Integer[] order = byDescending(logits);
    int keep = topK > 0 ? Math.min(topK, order.length) : order.length;
    double mass = 0.0;
    for (int k = 0; k < keep; k++) {
      mass += probs[order[k]];
    }
    if (topP < 1.0) {
      double cumulative = 0.0;
      int prefix = 0;
      while (prefix < keep) {
        cumulative += probs[order[prefix]] / mass;
        prefix++;
        if (cumulative >= topP) {
          break;
        }
      }
      keep = prefix;
    }
    double[] filtered = new double[probs.length];
    double kept = 0.0;
    for (int k = 0; k < keep; k++) {
      kept += probs[order[k]];
    }
    for (int k = 0; k < keep; k++) {
      filtered[order[k]] = probs[order[k]] / kept;
    }
    return filtered;
  }

  static double[] softmax(double[] logits) {
    double[] logProbs = logSoftmax(logits);
    double[] probs = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      probs[i] = Math.exp(logProbs[i]);
    }
    return probs;
  }

  static double[] logSoftmax(double[] logits) {
    double max = Arrays.stream(logits).max().orElseThrow();
    double sum = 0.0;
    for (double l : logits) {
      sum += Math.exp(l - max);
    }
    double logZ = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i] - logZ;
    }
    return out;
  }

  /** Token ids sorted by descending value, lower id first on ties. */
  static Integer[] byDescending(double[] values) {
    Integer[] ids = new Integer[values.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    Arrays.sort(ids, Comparator.comparingDouble((Integer i) -> -values[i]).thenComparingInt(i -> i));
    return ids;
  }
}
