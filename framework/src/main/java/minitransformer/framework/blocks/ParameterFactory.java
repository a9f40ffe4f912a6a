package minitransformer.framework.blocks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Creates the trainable variables of a graph and initialises them like GPT-2 / nanoGPT, drawing
 * from one ND4J random generator seeded once: the same seed and the same creation order give
 * identical weights. Remembers the creation order (the model's parameter order).
 */
public final class ParameterFactory {
  /** GPT-2's initial standard deviation for weights and embeddings. */
  public static final double INIT_STD = 0.02;

  private final SameDiff sd;
  private final DataType dataType;
  private final Random rng;
  private final List<String> names = new ArrayList<>();

  public ParameterFactory(SameDiff sd, DataType dataType, long seed) {
    this.sd = sd;
    this.dataType = dataType;
    this.rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
  }

  public DataType dataType() {
    return dataType;
  }

  /** A weight drawn from N(0, std²). */
  public SDVariable normal(String name, double std, long... shape) {
    INDArray value = Nd4j.create(dataType, shape);
    Nd4j.randn(0.0, std, value, rng);
    return add(name, value);
  }

  public SDVariable zeros(String name, long... shape) {
    return add(name, Nd4j.zeros(dataType, shape));
  }

  public SDVariable ones(String name, long... shape) {
    return add(name, Nd4j.ones(dataType, shape));
  }

  /**
   * A constant (not trained, not counted), created once per graph under name and shared by every
   * block that asks for it again (the rotary tables).
   */
  public SDVariable sharedConstant(String name, java.util.function.Supplier<INDArray> value) {
    if (sd.hasVariable(name)) {
      return sd.getVariable(name);
    }
    return sd.constant(name, value.get().castTo(dataType));
  }

  /** Names of the variables created so far, in creation order. */
  public List<String> names() {
    return Collections.unmodifiableList(names);
  }

  private SDVariable add(String name, INDArray value) {
    names.add(name);
    return sd.var(name, value);
  }
}
