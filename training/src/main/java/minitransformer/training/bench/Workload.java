package minitransformer.training.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.Schema;

/**
 * One thing to measure: a config (model, data, batch size, optimizer settings) and how many steps
 * to time after how many untimed warm-up steps.
 *
 * @param name short name, e.g. "char"
 * @param reference PyTorch 1.13's step time on this project's 2-core reference CPU, NaN if unknown
 */
public record Workload(String name, String title, Config config, int steps, int warmup, double referenceMs) {
  public Workload {
    if (steps < 1) {
      throw new minitransformer.training.config.ConfigException("--steps (" + steps + ") must be at least 1");
    }
    if (warmup < 0) {
      throw new minitransformer.training.config.ConfigException("--warmup (" + warmup + ") must be at least 0");
    }
  }

  /**
   * A built-in workload: its name, resource, default steps and warm-up, PyTorch reference, and the
   * free memory it needs (its measured peak RSS plus a margin; 0: small enough not to check).
   */
  public record BuiltIn(String name, String title, int steps, int warmup, double referenceMs, long memoryNeededBytes) {
    /**
     * Null when this workload may start with availableBytes of free memory (or when that is unknown,
     * -1); otherwise why not, as one line.
     */
    public String memoryShortfall(long availableBytes) {
      if (memoryNeededBytes <= 0 || availableBytes < 0 || availableBytes >= memoryNeededBytes) {
        return null;
      }
      return String.format(
          java.util.Locale.ROOT,
          "the %s workload needs about %.1f GB of free memory and MemAvailable in /proc/meminfo is %.1f GB",
          name, memoryNeededBytes / 1e9, availableBytes / 1e9);
    }

    public Workload with(Path corpus, Integer stepsOverride, Integer warmupOverride, List<String> overrides) {
      String resource = "/bench/" + name + ".yaml";
      String yaml;
      try (InputStream in = Workload.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the jar lacks " + resource);
        }
        yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource, e);
      }
      List<String> all = new ArrayList<>();
      all.add(Schema.PATH.setTo(corpus.toAbsolutePath()));
      all.addAll(overrides);
      Config config = ConfigLoader.fromYaml(yaml, "bench/" + name + ".yaml", Path.of("").toAbsolutePath(), name, all);
      return new Workload(
          name, title, config, stepsOverride == null ? steps : stepsOverride,
          warmupOverride == null ? warmup : warmupOverride, referenceMs);
    }
  }

  /**
   * The big workload's peak RSS was 2.2 GB (VmHWM, two workers, gradient-accumulation slices of 4
   * sequences; its memory estimate is 2.4 GB; before slicing the kernel killed it at
   * 19.5 GB); 6 GB leaves a margin for the JVM's own growth.
   */
  static final long BIG_MEMORY_NEEDED_BYTES = 6_000_000_000L;

  /** The three workloads, in its table's order. */
  public static final List<BuiltIn> BUILT_IN =
      List.of(
          new BuiltIn("char", "nanoGPT CPU recipe (char, 4 layers, 4 heads, C 128, T 64, B 12)", 30, 5, 45.6, 0),
          new BuiltIn("big", "shakespeare_char (6 layers, 6 heads, C 384, T 256, B 64, dropout 0.2)", 3, 1, 10_200,
              BIG_MEMORY_NEEDED_BYTES),
          new BuiltIn("word", "CPU recipe sizes, word level (vocabulary 11,466)", 30, 5, 147, 0));

  /** A user's config file. */
  public static Workload fromFile(Path file, int steps, int warmup, List<String> overrides) {
    Config config = ConfigLoader.load(file, overrides);
    String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    return new Workload(name, file.toString(), config, steps, warmup, Double.NaN);
  }

  /**
   * tinyshakespeare.txt: the given file, else the first of shared/datasets/, datasets/ or data/ that
   * holds it in the working directory or a directory above it; null if none.
   */
  public static Path findCorpus(Path given) {
    if (given != null) {
      return given;
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      for (String sub : new String[] {"shared/datasets", "datasets", "data", "."}) {
        Path candidate = dir.resolve(sub).resolve("tinyshakespeare.txt");
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }
}
