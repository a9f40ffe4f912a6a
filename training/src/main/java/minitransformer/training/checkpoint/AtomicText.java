package minitransformer.training.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A small text file replaced in one rename, for the run directory's config.yaml and timing.json. */
public final class AtomicText {
  private AtomicText() {}

  /**
   * Writes text to FILE.tmp and renames it over file, so a failed write (a full disk) leaves the old
   * file whole and no temporary file behind.
   */
  public static void write(Path file, String text) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
