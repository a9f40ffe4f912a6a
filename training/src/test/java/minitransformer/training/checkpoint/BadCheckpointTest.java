package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every damaged checkpoint gives one line naming the file and the problem, and nothing is deleted. */
class BadCheckpointTest {
  @TempDir Path tmp;
  private Path run;
  private Path dir;

  @BeforeEach
  void saveOne() {
    run = tmp.resolve("run");
    dir = new CheckpointStore(run, 2, w -> {}).save(Checkpoints.state(500, 1), true);
  }

  @Test
  void truncatedFile() throws IOException {
    Path model = dir.resolve("model.npz");
    try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    assertFailsNaming(model, "truncated or altered");
  }

  @Test
  void alteredByteWithTheSameSize() throws IOException {
    Path optimizer = dir.resolve("optimizer.npz");
    byte[] bytes = Files.readAllBytes(optimizer);
    bytes[bytes.length / 2] ^= 0x01; // one bit of one float
    Files.write(optimizer, bytes);
    assertFailsNaming(optimizer, "checksum mismatch");
  }

  @Test
  void newerFormatVersion() throws IOException {
    Path meta = dir.resolve("meta.json");
    int next = CheckpointStore.FORMAT_VERSION + 1;
    Files.writeString(meta, Files.readString(meta).replaceFirst(
        "\"format_version\" : \\d+", "\"format_version\" : " + next));
    assertFailsNaming(meta, "format version " + next + " is newer");
  }

  @Test
  void alteredMetaJson() throws IOException {
    // An edited step (or random state, config, tokenizer) would silently resume a different run.
    Path meta = dir.resolve("meta.json");
    String text = Files.readString(meta);
    assertTrue(text.contains("\"step\" : 500,"), text);
    Files.writeString(meta, text.replace("\"step\" : 500,", "\"step\" : 501,"));
    assertFailsNaming(meta, "checksum mismatch");
  }

  @Test
  void metaJsonSavedBeforeItCarriedItsOwnChecksumStillLoads() throws IOException {
    Path meta = dir.resolve("meta.json");
    String text = Files.readString(meta);
    String withoutChecksum = text.replaceAll(",\\s*\"meta_sha256\" : \"[0-9a-f]{64}\"", "");
    assertFalse(withoutChecksum.contains("meta_sha256"), withoutChecksum);
    Files.writeString(meta, withoutChecksum);
    assertEquals(500, CheckpointStore.load(dir, w -> {}).step());
  }

  @Test
  void directoryThatIsNotACheckpoint() throws IOException {
    Path other = Files.createDirectories(tmp.resolve("photos"));
    Files.writeString(other.resolve("cat.jpg"), "meow");
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(other, w -> {}));
    assertOneLine(e, other.toString(), "not a checkpoint or run directory");

    Path meta = dir.resolve("meta.json");
    Files.writeString(meta, "{\"format\": \"something-else\"}");
    assertFailsNaming(meta, "not a minitransformer checkpoint");
  }

  @Test
  void missingFile() throws IOException {
    Path optimizer = dir.resolve("optimizer.npz");
    Files.move(optimizer, tmp.resolve("elsewhere.npz"));
    assertFailsNaming(optimizer, "missing");
  }

  @Test
  void metaJsonThatIsNotJson() throws IOException {
    Path meta = dir.resolve("meta.json");
    String text = Files.readString(meta);
    Files.writeString(meta, text.substring(0, text.length() / 2)); // truncated mid-document
    assertFailsNaming(meta, "not valid JSON");
  }

  @Test
  void missingPathAndAFileInsteadOfADirectory() {
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> CheckpointStore.load(tmp.resolve("nope"), w -> {}));
    assertOneLine(e, "nope", "no such checkpoint or run directory");
    e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir.resolve("model.npz"), w -> {}));
    assertOneLine(e, "model.npz", "not a directory");
  }

  /** Loading the checkpoint directory and its run directory both fail this way, and no file changes. */
  private void assertFailsNaming(Path file, String problem) {
    Map<String, Long> before = listing();
    for (Path target : List.of(dir, run)) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(target, w -> {}));
      assertOneLine(e, file.toString(), problem);
    }
    assertEquals(before, listing(), "nothing deleted or changed");
  }

  private static void assertOneLine(CheckpointException e, String names, String problem) {
    String m = e.getMessage();
    assertTrue(m.contains(names), "should name " + names + ": " + m);
    assertTrue(m.contains(problem), "should say '" + problem + "': " + m);
    assertFalse(m.contains("\n"), "one line: " + m);
  }

  private Map<String, Long> listing() {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(tmp)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        files.put(tmp.relativize(p).toString(), Files.isRegularFile(p) ? Files.size(p) : -1L);
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    return files;
  }
}
