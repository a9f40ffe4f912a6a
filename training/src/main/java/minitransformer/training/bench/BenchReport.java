package minitransformer.training.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the bench command prints: its results as a Markdown table or as one JSON document. */
public final class BenchReport {
  private BenchReport() {}

  /** {"environment": environment, key: value}, indented. */
  public static String json(Map<String, Object> environment, String key, Object value) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("environment", environment);
    document.put(key, value);
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The environment line, one table row per workload, then each one's step phases and memory. */
  public static String table(List<BenchResult> results, Map<String, Object> environment) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "cores %s, OMP_NUM_THREADS %s, threads: %s, load average %.2f before / %.2f after%n%n",
            environment.get("cores"), environment.get("OMP_NUM_THREADS"), environment.get("native_threads"), (double) environment.get("load_average_before"),
            (double) environment.get("load_average_after")));
    s.append("| workload | params | step median (IQR; min-max) | tokens/s | vs PyTorch | peak RSS | sampling tok/s:"
        + " full forward | KV cache, exact slide | KV cache, default refill |\n");
    s.append("|---|---|---|---|---|---|---|---|---|\n");
    for (BenchResult r : results) {
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2fM | %.1f ms (%.1f-%.1f; %.1f-%.1f), n=%d | %,.0f | %s | %s | %s | %s | %s |%n",
              r.name(), r.shape().parameters() / 1e6, r.step().medianMs(), r.step().p25Ms(), r.step().p75Ms(),
              r.step().minMs(), r.step().maxMs(), r.step().count(), r.tokensPerSecond(),
              Double.isNaN(r.referenceMs()) ? "-" : String.format(Locale.ROOT, "%.2fx slower", r.ratioToReference()),
              megabytes(r.memory().peakDuringBytes()),
              rate(r.sampling().fullForwardTokensPerSecond()),
              rate(r.sampling().kvCacheExactSlideTokensPerSecond()),
              rate(r.sampling().kvCacheTokensPerSecond())));
    }
    s.append("\nmedian ms per phase of the step:\n");
    for (BenchResult r : results) {
      s.append("  ").append(r.name()).append(":");
      r.phaseMedianMs().forEach((phase, ms) -> s.append(String.format(Locale.ROOT, " %s %.2f", phase, ms)));
      s.append(
          String.format(
              Locale.ROOT, "; RSS at end %s, process peak (VmHWM) %s, estimated %s;"
                  + " the passes' arrays %s, estimated activations %s%n",
              megabytes(r.memory().endBytes()), megabytes(r.memory().processPeakBytes()),
              megabytes(r.memory().estimatedBytes()), megabytes(r.memory().passBytes()),
              megabytes(r.memory().estimatedActivationBytes())));
    }
    for (BenchResult r : results) {
      if (!r.memory().samples().isEmpty()) {
        s.append("  ").append(r.name()).append(" VmRSS by step:");
        r.memory().samples().forEach(
            sample -> s.append(String.format(Locale.ROOT, " %d:%s", sample.step(), megabytes(sample.rssBytes()))));
        s.append('\n');
      }
    }
    return s.toString();
  }

  private static String rate(double tokensPerSecond) {
    return Double.isNaN(tokensPerSecond) ? "-" : String.format(Locale.ROOT, "%.1f", tokensPerSecond);
  }

  private static String megabytes(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,d MB", bytes / 1_000_000);
  }
}
