package minitransformer.framework;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The mean cross-entropy of one training batch and the gradient of every parameter, by name. */
public record LossAndGradients(double loss, Map<String, INDArray> gradients) {}
