package minitransformer.training.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one writer of a run directory: a process that trains a run (new or resumed) holds an
 * operating-system lock on {@value #FILE} in its directory until it ends, and a second one is refused
 * with one line. The operating system drops the lock when its process dies, however it dies, so a lock
 * left by a killed process never blocks the next start; the file itself stays (it holds the last
 * holder's process id, for people only). Readers of a run ({@code serve}, {@code sample}, ...) take no
 * lock and never disturb a run that trains.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file's name in the run directory. */
  public static final String FILE = "train.lock";

  private final Path directory;
  private final boolean created;
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(Path directory, boolean created, FileChannel channel, FileLock lock) {
    this.directory = directory;
    this.created = created;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks a run directory (created if needed) for this process; a {@link CheckpointException} (one line)
   * when another process, or another run in this one, holds it.
   */
  public static RunLock acquire(Path runDirectory) {
    Path file = runDirectory.resolve(FILE);
    FileChannel channel;
    boolean created = !Files.exists(runDirectory);
    try {
      Files.createDirectories(runDirectory);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the lock file " + file, e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // this JVM trains the run already
    } catch (IOException e) {
      close(channel);
      throw new UncheckedIOException("cannot lock " + file, e);
    }
    if (lock == null) {
      close(channel);
      throw new CheckpointException(runDirectory + " is being trained by another process (it holds "
          + FILE + "); wait for it to end, or train under another name with --run NAME");
    }
    try {
      channel.truncate(0);
      channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"));
    } catch (IOException e) {
      // the pid is for people only; the lock holds without it
    }
    return new RunLock(runDirectory, created, channel, lock);
  }

  private static void close(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing was locked
    }
  }

  /**
   * Releases the lock. The file stays (deleting it could let two processes lock two files), except that
   * a directory this lock created and nothing else wrote to (a run refused before it began) goes again.
   */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the lock goes with the channel or the process
    }
    if (created) {
      try (var entries = Files.list(directory)) {
        if (entries.allMatch(p -> p.getFileName().toString().equals(FILE))) {
          Files.deleteIfExists(directory.resolve(FILE));
          Files.deleteIfExists(directory);
        }
      } catch (IOException e) {
        // an empty run directory is harmless
      }
    }
  }
}
