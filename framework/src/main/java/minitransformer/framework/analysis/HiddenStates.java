package minitransformer.framework.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.ModelConfigException;
import minitransformer.framework.Names;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One token's vector as it moves through the model: the embedding (token + position, {@link
 * Names#EMBEDDINGS_OUT}), the residual stream after each block ({@link Names#blockOut}), and the final
 * LayerNorm's output ({@link Names#LN_F_OUT}), all read from the graph at one position.
 *
 * @param position the token's position in the sequence
 * @param stages the graph output names, in order
 * @param vectors the token's vector after each stage (C each)
 */
public record HiddenStates(int position, List<String> stages, double[][] vectors) {
  public HiddenStates {
    stages = List.copyOf(stages);
    if (stages.size() != vectors.length) {
      throw new IllegalArgumentException(stages.size() + " stages but " + vectors.length + " vectors");
    }
  }

  /** Runs the model (eval mode) on the sequence and keeps row {@code position} of every stage. */
  public static HiddenStates of(GPT model, int[] ids, int position) {
    if (position < 0 || position >= ids.length) {
      throw new ModelConfigException(
          "position " + position + " is outside the sequence (positions 0.." + (ids.length - 1) + ")");
    }
    List<String> stages = new ArrayList<>();
    stages.add(Names.EMBEDDINGS_OUT);
    for (int i = 0; i < model.config().nLayer(); i++) {
      stages.add(Names.blockOut(i));
    }
    stages.add(Names.LN_F_OUT);
    int C = model.config().nEmbd();
    Map<String, INDArray> out = model.outputs(GPT.idsArray(ids, 1, ids.length), stages);
    double[][] vectors = new double[stages.size()][];
    for (int i = 0; i < stages.size(); i++) {
      vectors[i] = Arrays2.slice(Arrays2.flat(out.get(stages.get(i))), position * C, C); // (1, T, C) row t
    }
    return new HiddenStates(position, stages, vectors);
  }

  /** [stage][reference]: the measure between the token's vector after each stage and each reference vector. */
  public double[][] similarities(double[][] references, Similarity measure) {
    double[][] m = new double[vectors.length][references.length];
    for (int i = 0; i < vectors.length; i++) {
      for (int r = 0; r < references.length; r++) {
        m[i][r] = measure.of(vectors[i], references[r]);
      }
    }
    return m;
  }
}
