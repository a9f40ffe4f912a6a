package minitransformer.training.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import minitransformer.training.bench.BenchResult;
import minitransformer.training.bench.Benchmark;
import minitransformer.training.bench.ResidentMemory;
import minitransformer.training.bench.Workload;
import minitransformer.training.config.ConfigException;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench}: how fast one training step and sampling run here, and how much memory they take. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Time the training step and sampling.",
      "The step: the batch, forward and backward passes, gradient clipping and AdamW.",
      "Without --config it runs the three built-in workloads on tinyshakespeare.txt: char (nanoGPT's CPU"
          + " recipe), big (6 layers, width 384, context 256, batch 64: about 10-40 s a step, so 3 steps by"
          + " default) and word (CPU recipe sizes, word vocabulary 11,466).",
      "big needs about 6 GB of free memory (its peak RSS was 4.7 GB): when MemAvailable in /proc/meminfo is"
          + " lower, the default set leaves it out with a note, and --workload big refuses to start.",
      "The machine should be otherwise idle; medians are robust to a few slow steps, not to a busy CPU."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Measure this config instead of the built-in workloads.")
  Path config;

  @Option(
      names = "--workload",
      paramLabel = "NAME",
      split = ",",
      description = "Built-in workloads to run: char, big, word (default: all three).")
  List<String> workloads = new ArrayList<>();

  @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE", description = "Override a config key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--steps", paramLabel = "N", description = "Timed steps (default: 30; big: 3; with --config: 30).")
  Integer steps;

  @Option(names = "--warmup", paramLabel = "W", description = "Untimed steps first (default: 5; big: 1).")
  Integer warmup;

  @Option(
      names = "--sample-tokens",
      paramLabel = "N",
      defaultValue = "64",
      description = "Tokens generated to time sampling (0: skip sampling; default: ${DEFAULT-VALUE}).")
  int sampleTokens;

  @Option(
      names = "--data",
      paramLabel = "FILE",
      description =
          "tinyshakespeare.txt for the built-in workloads (default: shared/datasets/, datasets/ or data/ in"
              + " the working directory or above).")
  Path data;

  @Option(
      names = "--rss-every",
      paramLabel = "N",
      defaultValue = "0",
      description = "Also record resident memory every N steps (to see whether it stays flat; 0: off).")
  int rssEvery;

  @Option(names = "--json", description = "Print the results as one JSON document instead of a table.")
  boolean json;

  @Option(names = "--verbose", description = "A line for every timed step instead of a progress bar, and stack"
      + " traces of errors.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (sampleTokens < 0) {
      throw new ConfigException("--sample-tokens (" + sampleTokens + ") must be at least 0");
    }
    if (rssEvery < 0) {
      throw new ConfigException("--rss-every (" + rssEvery + ") must be at least 0");
    }
    List<Workload> plan = plan(err);
    Benchmark benchmark =
        new Benchmark(
            sampleTokens,
            rssEvery,
            line -> {
              if (!json) {
                err.println(line);
                err.flush();
              }
            },
            json ? (w, step, steps, ms, loss) -> {} : new BenchProgress(err, verbose, System.console() != null),
            Main.availableMemory(spec));
    Map<String, Object> environment = environment();
    List<BenchResult> results = new ArrayList<>();
    for (Workload workload : plan) {
      results.add(benchmark.run(workload));
    }
    environment.put("load_average_after", loadAverage());
    if (json) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("environment", environment);
      document.put("results", results);
      try {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      out.print(table(results, environment));
    }
    out.flush();
    return 0;
  }

  private List<Workload> plan(PrintWriter err) {
    if (config != null) {
      if (!workloads.isEmpty()) {
        throw new ConfigException("--config and --workload cannot be combined");
      }
      return List.of(
          Workload.fromFile(config, steps == null ? 30 : steps, warmup == null ? 5 : warmup, overrides));
    }
    List<Workload.BuiltIn> chosen = new ArrayList<>();
    for (String name : workloads) {
      Workload.BuiltIn builtIn =
          Workload.BUILT_IN.stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
      if (builtIn == null) {
        throw new ConfigException("--workload " + name + ": unknown (choose from char, big, word)");
      }
      chosen.add(builtIn);
    }
    long available = ResidentMemory.availableBytes();
    if (chosen.isEmpty()) {
      for (Workload.BuiltIn builtIn : Workload.BUILT_IN) {
        String shortfall = builtIn.memoryShortfall(available);
        if (shortfall == null) {
          chosen.add(builtIn);
        } else {
          err.println("bench: skipping " + builtIn.name() + ": " + shortfall);
          err.flush();
        }
      }
    } else {
      for (Workload.BuiltIn builtIn : chosen) {
        String shortfall = builtIn.memoryShortfall(available);
        if (shortfall != null) {
          throw new ConfigException("--workload " + builtIn.name() + ": " + shortfall + "; not started");
        }
      }
    }
    Path corpus = Workload.findCorpus(data);
    if (corpus == null || !Files.isRegularFile(corpus)) {
      throw new ConfigException(
          (data == null
                  ? "tinyshakespeare.txt not found in shared/datasets/, datasets/ or data/ here or above"
                  : data + ": no such file")
              + "; the built-in workloads need it (download it from"
              + " https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
              + " and pass --data FILE), or measure your own config with --config FILE");
    }
    List<Workload> plan = new ArrayList<>();
    for (Workload.BuiltIn builtIn : chosen) {
      plan.add(builtIn.with(corpus, steps, warmup, overrides));
    }
    return plan;
  }

  private static Map<String, Object> environment() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("cores", Runtime.getRuntime().availableProcessors());
    env.put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"));
    env.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
    env.put("nd4j_max_master_threads", Nd4j.getEnvironment().maxMasterThreads());
    env.put("java", System.getProperty("java.version"));
    env.put("load_average_before", loadAverage());
    return env;
  }

  /** The 1-minute load average (other processes competing for the cores), -1 if unknown. */
  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static String table(List<BenchResult> results, Map<String, Object> environment) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "cores %s, OMP_NUM_THREADS %s, ND4J threads %s (master %s), load average %.2f before / %.2f after%n%n",
            environment.get("cores"), environment.get("OMP_NUM_THREADS"), environment.get("nd4j_max_threads"),
            environment.get("nd4j_max_master_threads"), (double) environment.get("load_average_before"),
            (double) environment.get("load_average_after")));
    s.append("| workload | params | step median (IQR; min-max) | tokens/s | vs PyTorch | peak RSS | sampling tok/s full forward | with KV cache |\n");
    s.append("|---|---|---|---|---|---|---|---|\n");
    for (BenchResult r : results) {
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2fM | %.1f ms (%.1f-%.1f; %.1f-%.1f), n=%d | %,.0f | %s | %s | %s | %s |%n",
              r.name(), r.shape().parameters() / 1e6, r.step().medianMs(), r.step().p25Ms(), r.step().p75Ms(),
              r.step().minMs(), r.step().maxMs(), r.step().count(), r.tokensPerSecond(),
              Double.isNaN(r.referenceMs()) ? "-" : String.format(Locale.ROOT, "%.2fx slower", r.ratioToReference()),
              megabytes(r.memory().peakDuringBytes()),
              Double.isNaN(r.sampling().fullForwardTokensPerSecond())
                  ? "-" : String.format(Locale.ROOT, "%.1f", r.sampling().fullForwardTokensPerSecond()),
              Double.isNaN(r.sampling().kvCacheTokensPerSecond())
                  ? "-" : String.format(Locale.ROOT, "%.1f", r.sampling().kvCacheTokensPerSecond())));
    }
    s.append("\nmedian ms per phase of the step:\n");
    for (BenchResult r : results) {
      s.append("  ").append(r.name()).append(":");
      r.phaseMedianMs().forEach((phase, ms) -> s.append(String.format(Locale.ROOT, " %s %.2f", phase, ms)));
      s.append(
          String.format(
              Locale.ROOT, "; RSS at end %s, process peak (VmHWM) %s%n",
              megabytes(r.memory().endBytes()), megabytes(r.memory().processPeakBytes())));
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

  private static String megabytes(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,d MB", bytes / 1_000_000);
  }
}
