package minitransformer.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds files of the project and the shared area by walking up from the working directory. */
public final class TestFiles {
  private TestFiles() {}

  /** The first {@code dir/relative} that exists, for dir = the working directory and its parents. */
  public static Optional<Path> findUp(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.exists(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  public static Optional<Path> tinyShakespeare() {
    return findUp("shared/datasets/tinyshakespeare.txt");
  }
}
