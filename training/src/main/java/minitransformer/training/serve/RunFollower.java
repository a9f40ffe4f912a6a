package minitransformer.training.serve;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.concurrent.DaemonThreads;
import minitransformer.training.metrics.MetricsLog;

/**
 * Follows a run directory that may be training: once a second it reads what {@code metrics.jsonl} gained
 * (whole lines only, from where it stopped) and which checkpoint the {@code latest} marker names. It reads
 * and never writes nor locks, so the run it follows is not disturbed; a second of polling costs two small
 * reads.
 */
final class RunFollower implements AutoCloseable {
  /** A line of metrics.jsonl with its index (0 for the file's first line). */
  record MetricsLine(long index, String json) {}

  static final long PERIOD_MS = 1000;

  private final Path run;
  private final Consumer<MetricsLine> onMetrics;
  private final Consumer<Path> onCheckpoint;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("serve-follow"));
  private long offset;
  private long lines;
  private String latest;

  /**
   * Starts following run; onMetrics gets each line appended from now on, onCheckpoint each checkpoint that
   * the latest marker names after {@code shownCheckpoint} (the one the server loaded first).
   */
  RunFollower(Path run, Path shownCheckpoint, Consumer<MetricsLine> onMetrics, Consumer<Path> onCheckpoint) {
    this.run = run;
    this.onMetrics = onMetrics;
    this.onCheckpoint = onCheckpoint;
    this.latest = shownCheckpoint.getFileName().toString();
    Path metrics = run.resolve(MetricsLog.FILE);
    try {
      this.offset = Files.isRegularFile(metrics) ? Files.size(metrics) : 0;
      this.lines = Files.isRegularFile(metrics) ? Files.lines(metrics, StandardCharsets.UTF_8).count() : 0;
    } catch (IOException | java.io.UncheckedIOException e) {
      this.offset = 0;
      this.lines = 0;
    }
    timer.scheduleWithFixedDelay(this::poll, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** How many lines metrics.jsonl held when following began; events carry the indices after them. */
  long linesAtStart() {
    return lines;
  }

  private void poll() {
    try {
      readMetrics();
      Optional<String> marker = CheckpointStore.latestMarker(run);
      if (marker.isPresent() && !marker.get().equals(latest)) {
        onCheckpoint.accept(run.resolve(marker.get())); // throws while it cannot be loaded: tried again next time
        latest = marker.get();
      }
    } catch (RuntimeException | IOException e) {
      // a file caught mid-write or a checkpoint that cannot be loaded yet: the next poll tries again
    }
  }

  private void readMetrics() throws IOException {
    Path file = run.resolve(MetricsLog.FILE);
    if (!Files.isRegularFile(file)) {
      return;
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long size = in.length();
      if (size < offset) { // rewritten (a resume that trimmed it): start again
        offset = 0;
        lines = 0;
      }
      if (size == offset) {
        return;
      }
      byte[] bytes = new byte[(int) Math.min(size - offset, 1 << 20)];
      in.seek(offset);
      in.readFully(bytes);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          String line = new String(bytes, start, i - start, StandardCharsets.UTF_8).trim();
          if (!line.isEmpty()) {
            onMetrics.accept(new MetricsLine(lines, line));
          }
          lines++;
          start = i + 1;
        }
      }
      offset += start; // a partial last line is read again once it is whole
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
