package minitransformer.datasets;

/**
 * Inputs and next-token targets, row-major: {@code x[b*T + t]} is token t of sequence b and
 * {@code y[b*T + t] == x[b*T + t + 1]} within the stream.
 */
public record Batch(int batchSize, int blockSize, int[] x, int[] y) {
  public Batch {
    if (x.length != batchSize * blockSize || y.length != batchSize * blockSize) {
      throw new IllegalArgumentException("a batch of " + batchSize + " x " + blockSize + " needs "
          + batchSize * blockSize + " ids in x and y, got " + x.length + " and " + y.length);
    }
  }
}
