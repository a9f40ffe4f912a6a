package minitransformer.training.cli;

import java.io.PrintWriter;
import minitransformer.training.bench.Benchmark;

/** Opens the package-private BenchProgress to the bench tests. */
public record BenchProgressProbe(PrintWriter err, boolean terminal) {
  public Benchmark.StepListener listener() {
    return new BenchProgress(err, false, terminal);
  }
}
