package minitransformer.training.checkpoint;

import static minitransformer.training.checkpoint.Checkpoints.assertSameState;
import static minitransformer.training.checkpoint.Checkpoints.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import minitransformer.training.optim.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointStoreTest {
  @TempDir Path tmp;
  private final List<String> warnings = new ArrayList<>();

  private CheckpointStore store(int keepLast) {
    return new CheckpointStore(tmp.resolve("run"), keepLast, warnings::add);
  }

  @Test
  void roundTripIsBitExact() {
    TrainingState saved = state(500, 1);
    Path dir = store(3).save(saved, true);

    assertEquals(tmp.resolve("run/step-000500"), dir);
    for (String f : List.of("model.npz", "optimizer.npz", "meta.json")) assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    assertSameState(saved, CheckpointStore.load(dir, warnings::add));
    assertSameState(saved, CheckpointStore.load(tmp.resolve("run"), warnings::add));
    assertEquals(List.of(), warnings);
  }

  @Test
  void npzEntriesAreStoredAndNd4jReadsThem() throws Exception {
    TrainingState saved = state(7, 2);
    Path dir = store(1).save(saved, false);

    try (var zip = new java.util.zip.ZipFile(dir.resolve("model.npz").toFile())) {
      List<String> names = zip.stream().map(e -> {
        assertEquals(java.util.zip.ZipEntry.STORED, e.getMethod(), e.getName());
        return e.getName();
      }).toList();
      assertEquals(List.of("wte.npy", "wpe.npy", "h0.attn.W_Q.npy", "h0.ln_1.gamma.npy", "h10.mlp.W_fc.npy",
          "ln_f.beta.npy"), names);
    }
    Map<String, INDArray> byNd4j = Nd4j.createFromNpzFile(dir.resolve("optimizer.npz").toFile());
    INDArray expected = saved.optimizerState().get("m/h0/attn/W_Q");
    INDArray actual = byNd4j.containsKey("m.h0.attn.W_Q") ? byNd4j.get("m.h0.attn.W_Q") : byNd4j.get("m.h0.attn.W_Q.npy");
    assertEquals(saved.optimizerState().size(), byNd4j.size());
    assertEquals(expected, actual.castTo(expected.dataType()).reshape(expected.shape()));
  }

  @Test
  void keepsTheLastKAndTheBestOrderedByStepNumber() {
    CheckpointStore store = store(2);
    store.save(state(998, 1), true); // best, then never again
    store.save(state(999, 2), false);
    store.save(state(1000, 3), false);
    store.save(state(1001, 4), false);

    assertEquals(Set.of("step-000998", "step-001000", "step-001001"), stepDirs());
    assertEquals("step-001001", marker("latest"));
    assertEquals("step-000998", marker("best"));

    // "step-1000000" sorts before "step-999999" by name; by step it is the newest.
    CheckpointStore one = store(1);
    one.save(state(999_999, 5), false);
    one.save(state(1_000_000, 6), false);
    assertEquals(Set.of("step-000998", "step-1000000"), stepDirs());
    assertEquals(1_000_000, CheckpointStore.load(tmp.resolve("run"), warnings::add).step());
  }

  @Test
  void savingAgainAfterResumingFromAnOlderStepKeepsTheNewSave() {
    CheckpointStore store = store(2);
    store.save(state(100, 1), false);
    store.save(state(200, 2), false);
    store.save(state(300, 3), false);
    TrainingState redo = state(200, 42); // resumed from 100, saved 200 again
    store.save(redo, false);

    assertEquals("step-000200", marker("latest"));
    assertSameState(redo, CheckpointStore.load(tmp.resolve("run"), warnings::add));
    assertTrue(stepDirs().contains("step-000200"));
    assertEquals(Set.of(), leftovers());
  }

  @Test
  void halfWrittenTempDirectoryIsIgnoredReportedAndKept() throws IOException {
    TrainingState saved = state(100, 1);
    store(3).save(saved, false);
    Path temp = tmp.resolve("run/.tmp-step-000200-999999999");
    Files.createDirectories(temp);
    Files.write(temp.resolve("model.npz"), new byte[] {1, 2, 3});

    assertSameState(saved, CheckpointStore.load(tmp.resolve("run"), warnings::add));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains(".tmp-step-000200") && warnings.get(0).contains("half-written"));
    assertTrue(Files.exists(temp.resolve("model.npz")), "load deletes nothing");
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(temp, warnings::add));
    assertTrue(e.getMessage().contains("meta.json: missing"), e.getMessage());
  }

  @Test
  void nextSaveRemovesTheLeftoverOfAKilledProcess() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path leftover = tmp.resolve("run/.tmp-step-000200-" + gone.pid());
    Files.createDirectories(leftover);
    Files.write(leftover.resolve("model.npz"), new byte[] {1, 2, 3});
    Path markerLeftover = Files.writeString(tmp.resolve("run/.latest.tmp-" + gone.pid()), "step-0");

    store(3).save(state(300, 1), false);

    assertFalse(Files.exists(leftover));
    assertFalse(Files.exists(markerLeftover));
    assertTrue(warnings.stream().anyMatch(w -> w.contains(leftover.getFileName().toString())), warnings.toString());
  }

  @Test
  void staleOrMissingLatestMarkerFallsBackToTheHighestCompleteStep() throws IOException {
    CheckpointStore store = store(5);
    store.save(state(100, 1), false);
    TrainingState newest = state(200, 2);
    store.save(newest, false);
    Path run = tmp.resolve("run");

    Files.writeString(run.resolve("latest"), "step-000300\n"); // names a checkpoint that never completed
    assertSameState(newest, CheckpointStore.load(run, warnings::add));
    assertTrue(warnings.get(0).contains("step-000300"), warnings.toString());

    Files.delete(run.resolve("latest"));
    assertEquals(200, CheckpointStore.load(run, warnings::add).step());

    // A crash between the rename and the marker update: the marker is one save behind and is followed.
    Files.writeString(run.resolve("latest"), "step-000100\n");
    assertEquals(100, CheckpointStore.load(run, warnings::add).step());
    assertTrue(warnings.get(warnings.size() - 1).contains("step-000200 is newer"), warnings.toString());
  }

  @Test
  void markersAreAlwaysWholeWhileSavesReplaceThem() throws Exception {
    CheckpointStore store = store(2);
    store.save(state(0, 0), true);
    Path latest = tmp.resolve("run/latest");
    AtomicBoolean done = new AtomicBoolean();
    List<String> seen = new ArrayList<>();
    Thread reader = new Thread(() -> {
      while (!done.get()) {
        try {
          seen.add(Files.readString(latest, StandardCharsets.UTF_8));
        } catch (IOException e) {
          seen.add("unreadable: " + e);
        }
      }
    });
    reader.start();
    for (int step = 1; step <= 30; step++) store.save(state(step, step), step % 2 == 0);
    done.set(true);
    reader.join();

    assertTrue(seen.size() > 30, "the reader ran " + seen.size() + " times");
    for (String s : seen) assertTrue(s.matches("step-0000[0-3]\\d\n"), "partial or missing marker: '" + s + "'");
    assertEquals("step-000030", marker("latest"));
    assertEquals("step-000030", marker("best"));
    assertEquals(Set.of(), leftovers());
  }

  @Test
  void fullDiskLeavesThePreviousCheckpointIntactAndRemovesTheTempDirectory() {
    TrainingState previous = state(100, 1);
    store(3).save(previous, true);
    long modelBytes = tmp.resolve("run/step-000100/model.npz").toFile().length();
    // The disk fills up while optimizer.npz is being written (after model.npz and a bit more).
    ByteSink fillsUp = new ByteSink() {
      long left = modelBytes + 5_000;

      @Override
      public OutputStream create(Path file) throws IOException {
        OutputStream real = ByteSink.FILES.create(file);
        return new java.io.FilterOutputStream(real) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
              out.write(b, off, (int) left);
              left = 0;
              throw new IOException("No space left on device"); // what FileChannel.write says for ENOSPC
            }
            left -= len;
            out.write(b, off, len);
          }
        };
      }
    };
    CheckpointStore full = new CheckpointStore(tmp.resolve("run"), 3, fillsUp, warnings::add);

    CheckpointException e = assertThrows(CheckpointException.class, () -> full.save(state(200, 2), false));

    assertTrue(e.getMessage().contains("the disk is full"), e.getMessage());
    assertTrue(e.getMessage().contains("optimizer.npz"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertEquals(Set.of("step-000100"), stepDirs());
    assertEquals(Set.of(), leftovers());
    assertEquals("step-000100", marker("latest"));
    assertSameState(previous, CheckpointStore.load(tmp.resolve("run"), warnings::add));
  }

  @Test
  void refusesToStoreANameThatCannotRoundTrip() {
    TrainingState s = state(1, 1);
    Map<String, INDArray> bad = new java.util.LinkedHashMap<>(s.parameters());
    bad.put("h0.attn", Nd4j.zeros(2));
    TrainingState badState = new TrainingState(1, 0, Checkpoints.TINY_MODEL, "", "", 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, bad,
        s.optimizerState(), 0, Optimizer.Kind.ADAMW);
    CheckpointException e = assertThrows(CheckpointException.class, () -> store(1).save(badState, false));
    assertTrue(e.getMessage().contains("'h0.attn'"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("run")), "refused before anything was written");
  }

  private Set<String> stepDirs() {
    try (Stream<Path> s = Files.list(tmp.resolve("run"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-")).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private Set<String> leftovers() {
    try (Stream<Path> s = Files.list(tmp.resolve("run"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  private String marker(String name) {
    try {
      return Files.readString(tmp.resolve("run").resolve(name)).strip();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }
}
