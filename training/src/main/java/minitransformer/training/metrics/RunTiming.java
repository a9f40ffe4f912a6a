package minitransformer.training.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import minitransformer.training.checkpoint.AtomicText;
import minitransformer.training.metrics.RunClock.Part;

/**
 * Where one process's training session spent its wall time ({@link RunClock#stop()}): the summary line
 * {@code train} prints last, and {@code timing.json} in the run directory, the one place that writes it:
 *
 * <pre>
 * {"measured_from":"the JVM's start","start_step":0,"total_s":312.4,
 *  "parts_s":{"steps":201.0,"evaluations":84.0,"checkpoints":3.0,"loss_curve":0.8,"sample":6.0,"setup":4.1,"other":13.5},
 *  "counts":{"steps":2000,"evaluations":9,"checkpoints":10,"loss_curve":10,"sample":1},
 *  "eval_batches_per_split":200,"first_step_s":1.2}
 * </pre>
 *
 * The parts add up to the total ("other" is what no part timed). A resumed run's file holds the
 * resuming process's time only ({@code start_step} > 0).
 *
 * @param measuredFrom where the setup starts: the JVM's start, or the moment a caller named
 * @param startStep the step this process started at (0 for a new run)
 * @param evalBatchesPerSplit batches of each of the two splits per evaluation
 * @param nanos every part's wall time, other included
 * @param counts how often each part ran
 * @param firstStepNanos the first training step (0 when none ran)
 */
public record RunTiming(
    String measuredFrom, long startStep, int evalBatchesPerSplit, long totalNanos, Map<Part, Long> nanos,
    Map<Part, Long> counts, long firstStepNanos) {
  public static final String FILE = "timing.json";

  /** Evaluations cover the train split and the validation split. */
  private static final int SPLITS = 2;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public RunTiming {
    nanos = everyPart(nanos);
    counts = everyPart(counts);
  }

  /** An unmodifiable copy with 0 for every part the map leaves out. */
  private static Map<Part, Long> everyPart(Map<Part, Long> values) {
    Map<Part, Long> all = new EnumMap<>(Part.class);
    for (Part part : Part.values()) {
      all.put(part, values.getOrDefault(part, 0L));
    }
    return Collections.unmodifiableMap(all);
  }

  public double seconds(Part part) {
    return nanos.get(part) / 1e9;
  }

  public long count(Part part) {
    return counts.get(part);
  }

  public double totalSeconds() {
    return totalNanos / 1e9;
  }

  /**
   * One line:
   * {@code time: 312.4 s = steps 201.0 s (2000 × 100.5 ms, the first 1.20 s) + evaluations 84.0 s
   * (9 × 2 × 200 batches) + checkpoints 3.0 s (10 saves) + ... + other 13.5 s}.
   */
  public String line() {
    List<String> parts = new ArrayList<>();
    long steps = count(Part.STEPS);
    parts.add("steps " + secs(Part.STEPS) + (steps == 0 ? " (none)"
        : " (" + steps + " × " + duration(nanos.get(Part.STEPS) / (double) steps)
            + ", the first " + duration(firstStepNanos) + ")"));
    parts.add(String.format(Locale.ROOT, "evaluations %s (%d × %d × %d batches)",
        secs(Part.EVALUATIONS), count(Part.EVALUATIONS), SPLITS, evalBatchesPerSplit));
    long saves = count(Part.CHECKPOINTS);
    parts.add("checkpoints " + secs(Part.CHECKPOINTS) + " (" + saves + (saves == 1 ? " save)" : " saves)"));
    long curves = count(Part.LOSS_CURVE);
    parts.add("loss curve " + secs(Part.LOSS_CURVE) + " (" + curves + (curves == 1 ? " drawing)" : " drawings)"));
    parts.add("sample and predictions " + secs(Part.SAMPLE));
    parts.add("setup " + secs(Part.SETUP) + " (from " + measuredFrom + ")");
    parts.add("other " + secs(Part.OTHER));
    String head = startStep > 0 ? "time of this process (resumed at step " + startStep + "): " : "time: ";
    return head + String.format(Locale.ROOT, "%.1f s", totalSeconds()) + " = " + String.join(" + ", parts);
  }

  private String secs(Part part) {
    return String.format(Locale.ROOT, "%.1f s", seconds(part));
  }

  /** Milliseconds below a second, else seconds. */
  private static String duration(double nanoseconds) {
    return nanoseconds < 1e9
        ? String.format(Locale.ROOT, "%.1f ms", nanoseconds / 1e6)
        : String.format(Locale.ROOT, "%.2f s", nanoseconds / 1e9);
  }

  /** This timing as {@code timing.json}'s object. */
  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("measured_from", measuredFrom);
    root.put("start_step", startStep);
    root.put("total_s", totalSeconds());
    ObjectNode parts = root.putObject("parts_s");
    for (Part part : Part.values()) {
      parts.put(part.key, seconds(part));
    }
    ObjectNode times = root.putObject("counts");
    for (Part part : Part.values()) {
      if (part != Part.SETUP && part != Part.OTHER) {
        times.put(part.key, count(part));
      }
    }
    root.put("eval_batches_per_split", evalBatchesPerSplit);
    root.put("first_step_s", firstStepNanos / 1e9);
    return root;
  }

  /**
   * Writes {@code timing.json} into the run directory, replacing an earlier session's atomically (a
   * failed write, a full disk, leaves the old file whole and no temporary file behind).
   */
  public Path write(Path runDirectory) {
    Path file = runDirectory.resolve(FILE);
    try {
      AtomicText.write(file, JSON.writeValueAsString(toJson()) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }
}
