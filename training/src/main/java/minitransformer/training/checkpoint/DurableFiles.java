package minitransformer.training.checkpoint;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file mechanics of a crash-safe save, with no knowledge of what is saved: files written through
 * a {@link ByteSink} (fsynced on close) while their size and SHA-256 are counted, directory fsyncs,
 * atomic renames, recursive deletes, and the temporary names that carry this process's id so that
 * the leftovers of a killed process can be told from a live one's and removed.
 */
final class DurableFiles {
  /** Prefix of the temporary directory a save writes into. */
  static final String TEMP_PREFIX = ".tmp-";
  /** Prefix a directory is renamed to before it is deleted. */
  static final String DELETING_PREFIX = ".deleting-";
  /** Prefix a replaced directory is renamed to before it is deleted. */
  static final String REPLACED_PREFIX = ".replaced-";
  static final long PID = ProcessHandle.current().pid();
  private static final Pattern LEFTOVER =
      Pattern.compile("\\.(?:tmp-.*|deleting-.*|replaced-.*|latest\\.tmp|best\\.tmp)-(\\d+)");

  private final ByteSink sink;

  DurableFiles(ByteSink sink) {
    this.sink = sink;
  }

  /** The size and SHA-256 (hex) of a file as written. */
  record FileRecord(long bytes, String sha256) {}

  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** An IOException that names the file being written. */
  static final class WriteFailed extends IOException {
    final Path file;

    WriteFailed(Path file, IOException cause) {
      super(describe(cause), cause);
      this.file = file;
    }
  }

  /** A temporary name for name in dir, owned by this process: PREFIX + name + "-" + PID. */
  static Path owned(Path dir, String prefix, String name) {
    return dir.resolve(prefix + name + "-" + PID);
  }

  /** Creates file (which must not exist) with body's bytes; durable when this returns. */
  FileRecord write(Path file, Body body) throws WriteFailed {
    MessageDigest sha = sha256();
    long[] count = {0};
    try (OutputStream raw = sink.create(file);
        OutputStream out = new DigestOutputStream(new CountingStream(raw, count), sha)) {
      body.writeTo(out);
    } catch (IOException e) {
      throw new WriteFailed(file, e);
    }
    return new FileRecord(count[0], HexFormat.of().formatHex(sha.digest()));
  }

  /** Checks that file exists with the size and SHA-256 that listedIn records for it. */
  static void verify(Path file, FileRecord expected, String listedIn) {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file + ": missing (" + listedIn + " lists it); the checkpoint is incomplete");
    }
    MessageDigest sha = sha256();
    long bytes = 0;
    try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        bytes += n;
      }
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read (" + describe(e) + ")", e);
    }
    if (bytes != expected.bytes()) {
      throw new CheckpointException(file + ": truncated or altered: " + bytes + " bytes, " + listedIn + " says "
          + expected.bytes());
    }
    String actualSha = HexFormat.of().formatHex(sha.digest());
    String expectedSha = expected.sha256();
    if (!actualSha.equalsIgnoreCase(expectedSha)) {
      throw new CheckpointException(file + ": checksum mismatch (SHA-256 " + actualSha.substring(0, 12) + "..., "
          + listedIn + " says " + expectedSha.substring(0, Math.min(12, expectedSha.length()))
          + "...): the file is damaged or was altered");
    }
  }

  static boolean isDiskFull(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")
          || m.contains("not enough space on the disk"))) {
        return true;
      }
    }
    return false;
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static void fsyncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
    }
  }

  static void atomicMove(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the filesystem of " + to.getParent() + " cannot rename atomically", e);
    }
  }

  /**
   * Renames temp to target; a target that exists (saving a step again after resuming from an older
   * checkpoint) is first renamed aside and deleted afterwards.
   */
  static void moveIntoPlace(Path temp, Path target) throws IOException {
    Path aside = null;
    if (Files.exists(target)) {
      aside = owned(target.getParent(), REPLACED_PREFIX, target.getFileName().toString());
      atomicMove(target, aside);
    }
    atomicMove(temp, target);
    if (aside != null) deleteQuietly(aside);
  }

  /** Renamed first, then deleted, so that a crash in the middle never leaves a half-deleted directory in place. */
  static void renameAndDelete(Path dir) throws IOException {
    Path doomed = owned(dir.getParent(), DELETING_PREFIX, dir.getFileName().toString());
    atomicMove(dir, doomed);
    deleteRecursively(doomed);
  }

  /** Temporary directories and files left by a process that was killed; ours or live ones are left alone. */
  static void removeLeftoversOfDeadProcesses(Path dir, Consumer<String> warnings) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*")) {
      for (Path p : entries) {
        Matcher m = LEFTOVER.matcher(p.getFileName().toString());
        if (!m.matches()) continue;
        long pid = Long.parseLong(m.group(1));
        if (pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
        deleteRecursively(p);
        warnings.accept("removed " + p + ", left by process " + pid + " that stopped in the middle of a save");
      }
    } catch (IOException | NumberFormatException e) {
      warnings.accept("could not clean leftovers in " + dir + " (" + e.getMessage() + ")");
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path p : entries) deleteRecursively(p);
      }
    }
    Files.deleteIfExists(path);
  }

  static void deleteQuietly(Path path) {
    try {
      deleteRecursively(path);
    } catch (IOException ignored) {
      // best effort: a leftover temporary directory is ignored by load and removed by the next save
    }
  }

  /** Counts the bytes that pass through. */
  private static final class CountingStream extends FilterOutputStream {
    private final long[] count;

    CountingStream(OutputStream out, long[] count) {
      super(out);
      this.count = count;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count[0]++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count[0] += len;
    }
  }
}
