package minitransformer.training.metrics;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where a training session's wall time goes, measured by the program on every run: wall-clock
 * nanoseconds summed per {@link Part} (training steps, evaluations, checkpoint saves, loss-curve
 * drawings, the sample and predictions after training), each with how often it ran, the setup from the
 * clock's origin to the loop, and "other" for the rest, so that the parts add up to the total.
 *
 * <p>The timed stretches never overlap. A clock belongs to one process: a resumed run's clock starts
 * again with the process that resumes it. Only the training thread uses it.
 */
public final class RunClock {
  /** The parts of a run's wall time, in the order the summary names them. */
  public enum Part {
    STEPS("steps"),
    EVALUATIONS("evaluations"),
    CHECKPOINTS("checkpoints"),
    LOSS_CURVE("loss_curve"),
    SAMPLE("sample"),
    SETUP("setup"),
    OTHER("other");

    /** The part's name in {@code timing.json}. */
    public final String key;

    Part(String key) {
      this.key = key;
    }
  }

  private final long origin;
  private final String originName;
  private final Map<Part, Long> nanos = new EnumMap<>(Part.class);
  private final Map<Part, Long> counts = new EnumMap<>(Part.class);
  private long firstStepNanos;
  private long startStep;
  private int evalBatchesPerSplit;

  private RunClock(long origin, String originName) {
    this.origin = origin;
    this.originName = originName;
    for (Part part : Part.values()) {
      nanos.put(part, 0L);
      counts.put(part, 0L);
    }
  }

  /** A clock whose setup starts with the JVM (what a user of {@code java -jar ... train} waits through). */
  public static RunClock sinceJvmStart() {
    long uptimeNanos = ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
    return new RunClock(System.nanoTime() - uptimeNanos, "the JVM's start");
  }

  /** A clock whose setup starts now; {@code what} names the moment ("the train command's start"). */
  public static RunClock startingNow(String what) {
    return new RunClock(System.nanoTime(), what);
  }

  /**
   * Ends the setup (the origin to now: config, corpus, tokenizer, model) as the loop begins at
   * {@code startStep}, evaluating {@code evalBatchesPerSplit} batches of each split per evaluation.
   */
  public void setupDone(long startStep, int evalBatchesPerSplit) {
    this.startStep = startStep;
    this.evalBatchesPerSplit = evalBatchesPerSplit;
    nanos.put(Part.SETUP, System.nanoTime() - origin);
    counts.put(Part.SETUP, 1L);
  }

  /**
   * Adds the stretch from {@code since} ({@link System#nanoTime()}) to now to a part, once more.
   *
   * @return the stretch in nanoseconds
   */
  public long add(Part part, long since) {
    if (part == Part.SETUP || part == Part.OTHER) {
      throw new IllegalArgumentException(part + " is not timed stretch by stretch");
    }
    long elapsed = System.nanoTime() - since;
    if (part == Part.STEPS && counts.get(Part.STEPS) == 0) {
      firstStepNanos = elapsed;
    }
    nanos.merge(part, elapsed, Long::sum);
    counts.merge(part, 1L, Long::sum);
    return elapsed;
  }

  /** Runs work and adds its wall time to a part. */
  public void time(Part part, Runnable work) {
    long since = System.nanoTime();
    try {
      work.run();
    } finally {
      add(part, since);
    }
  }

  /** Runs work, adds its wall time to a part and returns its result. */
  public <T> T time(Part part, Supplier<T> work) {
    long since = System.nanoTime();
    try {
      return work.get();
    } finally {
      add(part, since);
    }
  }

  /** The figures from the origin to now; "other" is the total less every timed part. */
  public RunTiming stop() {
    long total = System.nanoTime() - origin;
    Map<Part, Long> parts = new EnumMap<>(nanos);
    long timed = parts.values().stream().mapToLong(Long::longValue).sum();
    parts.put(Part.OTHER, total - timed);
    return new RunTiming(originName, startStep, evalBatchesPerSplit, total, parts, counts, firstStepNanos);
  }
}
