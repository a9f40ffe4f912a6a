package minitransformer.training.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import minitransformer.framework.GPTConfig;
import minitransformer.training.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything needed to resume a run exactly, as the training loop hands it to the checkpoint store.
 *
 * @param step iterations completed
 * @param tokensSeen training tokens consumed so far
 * @param model the architecture (the vocabulary size included)
 * @param resolvedConfigYaml the run's resolved config (YAML text)
 * @param tokenizerJson the tokenizer, from Tokenizers.toJson
 * @param batchRngState SplitMix64 state of the train batch sampler
 * @param evalRngState SplitMix64 state of the evaluation batch sampler
 * @param dropoutRngState SplitMix64 state that dropout seeds are drawn from
 * @param bestValLoss best validation loss so far (NaN if none)
 * @param lastTrainLoss train loss of the last step (NaN if none)
 * @param lastValLoss validation loss of the last evaluation (NaN if none)
 * @param parameters model parameters by name
 * @param optimizerState the optimizer's state by name: AdamW's moments "m/" + param and "v/" + param,
 *     and for Muon its momentum buffers "momentum/" + param
 * @param optimizerStep the AdamW step count (bias correction)
 * @param optimizer the optimizer whose state this is (a run resumes only with the same one)
 */
public record TrainingState(
    long step,
    long tokensSeen,
    GPTConfig model,
    String resolvedConfigYaml,
    String tokenizerJson,
    long batchRngState,
    long evalRngState,
    long dropoutRngState,
    double bestValLoss,
    double lastTrainLoss,
    double lastValLoss,
    Map<String, INDArray> parameters,
    Map<String, INDArray> optimizerState,
    long optimizerStep,
    Optimizer.Kind optimizer) {

  /** Validates; the maps are copied (keeping their order), the arrays are not. */
  public TrainingState {
    if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
    if (tokensSeen < 0) throw new IllegalArgumentException("tokensSeen must be >= 0, got " + tokensSeen);
    if (optimizerStep < 0) throw new IllegalArgumentException("optimizerStep must be >= 0, got " + optimizerStep);
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(resolvedConfigYaml, "resolvedConfigYaml");
    Objects.requireNonNull(tokenizerJson, "tokenizerJson");
    Objects.requireNonNull(optimizer, "optimizer");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(parameters, "parameters")));
    optimizerState = Collections.unmodifiableMap(
        new LinkedHashMap<>(Objects.requireNonNull(optimizerState, "optimizerState")));
  }

  /** The number of trainable scalars. */
  public long parameterCount() {
    return parameters.values().stream().mapToLong(INDArray::length).sum();
  }
}
