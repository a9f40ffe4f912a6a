package minitransformer.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import minitransformer.training.metrics.RunClock.Part;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's time split: what the clock sums, the summary line and timing.json, from figures set by hand. */
class RunTimingTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  @TempDir Path dir;

  /** 2000 steps of 100.5 ms (the first 1.2 s), 9 evaluations, 10 saves, ...; other is the rest. */
  private static RunTiming shakespeareLike(long startStep) {
    Map<Part, Long> nanos = new EnumMap<>(Part.class);
    nanos.put(Part.STEPS, 2000 * 100_500_000L);
    nanos.put(Part.EVALUATIONS, 84 * S);
    nanos.put(Part.CHECKPOINTS, 3 * S);
    nanos.put(Part.LOSS_CURVE, 800 * MS);
    nanos.put(Part.SAMPLE, 6 * S);
    nanos.put(Part.SETUP, 4100 * MS);
    nanos.put(Part.OTHER, 13_500 * MS);
    long total = nanos.values().stream().mapToLong(Long::longValue).sum();
    Map<Part, Long> counts = new EnumMap<>(Part.class);
    counts.put(Part.STEPS, 2000L);
    counts.put(Part.EVALUATIONS, 9L);
    counts.put(Part.CHECKPOINTS, 10L);
    counts.put(Part.LOSS_CURVE, 10L);
    counts.put(Part.SAMPLE, 1L);
    return new RunTiming("the JVM's start", startStep, 200, total, nanos, counts, 1200 * MS);
  }

  @Test
  void theLineNamesEveryPartWithItsCount() {
    assertEquals(
        "time: 312.4 s = steps 201.0 s (2000 × 100.5 ms, the first 1.20 s) + evaluations 84.0 s (9 × 2 × 200 batches)"
            + " + checkpoints 3.0 s (10 saves) + loss curve 0.8 s (10 drawings) + sample and predictions 6.0 s"
            + " + setup 4.1 s (from the JVM's start) + other 13.5 s",
        shakespeareLike(0).line());
    assertTrue(shakespeareLike(1500).line().startsWith("time of this process (resumed at step 1500): 312.4 s = "),
        shakespeareLike(1500).line());
  }

  @Test
  void noStepsAndOneSaveReadAsSuch() {
    RunTiming none = new RunTiming("now", 6, 2, 3 * S, Map.of(Part.CHECKPOINTS, S, Part.OTHER, 2 * S),
        Map.of(Part.CHECKPOINTS, 1L, Part.LOSS_CURVE, 1L), 0);
    String line = none.line();
    assertTrue(line.contains("steps 0.0 s (none)"), line);
    assertTrue(line.contains("checkpoints 1.0 s (1 save)"), line);
    assertTrue(line.contains("loss curve 0.0 s (1 drawing)"), line);
    assertTrue(line.contains("evaluations 0.0 s (0 × 2 × 2 batches)"), line);
  }

  @Test
  void timingJsonHoldsTheSameFiguresAndAddsUp() throws IOException {
    RunTiming timing = shakespeareLike(0);
    Path file = timing.write(dir);
    assertEquals(dir.resolve("timing.json"), file);
    assertEquals(List.of(file), Files.list(dir).toList(), "no temporary file left");
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertEquals(312.4, json.path("total_s").asDouble(), 1e-9);
    assertEquals("the JVM's start", json.path("measured_from").asText());
    assertEquals(0, json.path("start_step").asLong());
    double sum = 0;
    for (Part part : Part.values()) {
      assertTrue(json.path("parts_s").path(part.key).isNumber(), part.key + " in " + json);
      sum += json.path("parts_s").path(part.key).asDouble();
    }
    assertEquals(json.path("total_s").asDouble(), sum, 1e-9);
    assertEquals(201.0, json.path("parts_s").path("steps").asDouble(), 1e-9);
    assertEquals(2000, json.path("counts").path("steps").asLong());
    assertEquals(9, json.path("counts").path("evaluations").asLong());
    assertEquals(10, json.path("counts").path("checkpoints").asLong());
    assertEquals(10, json.path("counts").path("loss_curve").asLong());
    assertEquals(1, json.path("counts").path("sample").asLong());
    assertEquals(200, json.path("eval_batches_per_split").asInt());
    assertEquals(1.2, json.path("first_step_s").asDouble(), 1e-9);
  }

  @Test
  void theClockSumsStretchesAndLeavesTheRestToOther() {
    RunClock clock = RunClock.startingNow("the test's start");
    clock.setupDone(0, 3);
    long since = System.nanoTime();
    long first = clock.add(Part.STEPS, since);
    assertTrue(first >= 0, "a stretch runs from its start to now: " + first);
    long second = clock.add(Part.STEPS, System.nanoTime());
    assertEquals("result", clock.time(Part.EVALUATIONS, () -> "result"));
    clock.time(Part.SAMPLE, () -> {});
    assertThrows(IllegalArgumentException.class, () -> clock.add(Part.OTHER, since));
    assertThrows(IllegalArgumentException.class, () -> clock.add(Part.SETUP, since));
    RunTiming timing = clock.stop();

    assertEquals(first + second, timing.nanos().get(Part.STEPS));
    assertEquals(first, timing.firstStepNanos());
    assertEquals(2, timing.count(Part.STEPS));
    assertEquals(1, timing.count(Part.EVALUATIONS));
    assertEquals(1, timing.count(Part.SAMPLE));
    assertEquals(0, timing.count(Part.CHECKPOINTS));
    assertEquals(1, timing.count(Part.SETUP));
    assertEquals(3, timing.evalBatchesPerSplit());
    assertEquals("the test's start", timing.measuredFrom());
    long sum = timing.nanos().values().stream().mapToLong(Long::longValue).sum();
    assertEquals(timing.totalNanos(), sum, "the parts add up to the total exactly");
    for (Part part : Part.values()) {
      assertTrue(timing.nanos().get(part) >= 0, part + ": " + timing.nanos());
    }
  }
}
