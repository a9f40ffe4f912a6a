package minitransformer.training.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's metrics as JSON lines ({@code metrics.jsonl}), one object per line, flushed as written:
 *
 * <pre>
 * {"type":"step","iter":10,"loss":3.91,"lr":1.0E-4,"grad_norm":1.7,"tokens_per_sec":3900.0,"elapsed":2.1}
 * {"type":"eval","iter":250,"train_loss":2.1,"val_loss":2.2,"train_bpt":3.0,"val_bpt":3.1,
 *  "train_bpb":3.0,"val_bpb":3.1,"train_ppl":8.2,"val_ppl":9.0,"elapsed":60.2}
 * </pre>
 *
 * {@code _bpt} is bits per token, {@code _bpb} bits per byte of the UTF-8 text (see {@link Evaluation}).
 *
 * A resumed run keeps the lines up to its checkpoint's step and appends after them. Non-finite
 * numbers are written as null (JSON has no NaN).
 */
public final class MetricsLog implements AutoCloseable {
  public static final String FILE = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedWriter out;

  private MetricsLog(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  /** A new, empty log in the run directory (an old one is replaced). */
  public static MetricsLog create(Path runDirectory) {
    Path file = runDirectory.resolve(FILE);
    try {
      Files.createDirectories(runDirectory);
      return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * The run's log continued after a checkpoint at {@code step}: lines of later steps (written
   * before a crash, after that checkpoint) are dropped, so the log reads as one uninterrupted run.
   */
  public static MetricsLog continueAfter(Path runDirectory, long step) {
    Path file = runDirectory.resolve(FILE);
    try {
      Files.createDirectories(runDirectory);
      if (Files.exists(file)) {
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          JsonNode node = parse(line);
          if (node != null && node.path("iter").asLong(Long.MAX_VALUE) <= step) {
            kept.add(line);
          }
        }
        Path temp = file.resolveSibling(FILE + ".tmp");
        try {
          Files.write(temp, kept, StandardCharsets.UTF_8);
          Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(temp); // a failed write (a full disk) leaves no temporary file behind
        }
      }
      return new MetricsLog(
          file,
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot continue " + file, e);
    }
  }

  public Path file() {
    return file;
  }

  public void step(StepMetrics m) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("type", "step");
    line.put("iter", m.iter());
    line.put("loss", finite(m.loss()));
    line.put("lr", m.lr());
    line.put("grad_norm", finite(m.gradNorm()));
    line.put("tokens_per_sec", finite(m.tokensPerSec()));
    line.put("elapsed", m.elapsedSeconds());
    write(line);
  }

  public void evaluation(Evaluation e, double elapsedSeconds) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("type", "eval");
    line.put("iter", e.iter());
    line.put("train_loss", finite(e.trainLoss()));
    line.put("val_loss", finite(e.valLoss()));
    line.put("train_bpt", finite(e.trainBitsPerToken()));
    line.put("val_bpt", finite(e.valBitsPerToken()));
    line.put("train_bpb", finite(e.trainBitsPerByte()));
    line.put("val_bpb", finite(e.valBitsPerByte()));
    line.put("train_ppl", finite(e.trainPerplexity()));
    line.put("val_ppl", finite(e.valPerplexity()));
    line.put("elapsed", elapsedSeconds);
    write(line);
  }

  private void write(Map<String, Object> line) {
    try {
      out.write(JSON.writeValueAsString(line));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** Every well-formed line of a log (a torn last line from a killed process is skipped). */
  public static List<JsonNode> read(Path file) {
    List<JsonNode> lines = new ArrayList<>();
    if (!Files.exists(file)) {
      return lines;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        JsonNode node = parse(line);
        if (node != null) {
          lines.add(node);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return lines;
  }

  private static JsonNode parse(String line) {
    if (line.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** The training time recorded by the last line, 0 for an empty log (a resumed run's clock starts there). */
  public static double lastElapsed(Path file) {
    List<JsonNode> lines = read(file);
    return lines.isEmpty() ? 0 : lines.get(lines.size() - 1).path("elapsed").asDouble(0);
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }
}
