package minitransformer.framework.generate;

/** A candidate next token with its probability under the model (temperature 1, no filtering). */
public record Prediction(int id, double probability, double logProbability) {}
