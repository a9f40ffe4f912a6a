package minitransformer.datasets;

/**
 * Inputs and next-token targets, row-major: {@code x[b*T + t]} is token t of sequence b and
 * {@code y[b*T + t] == x[b*T + t + 1]} within the stream.
 */
public record Batch(int batchSize, int blockSize, int[] x, int[] y) {}
