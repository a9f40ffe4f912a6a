package minitransformer.training.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.training.config.ConfigException;

/**
 * Where {@code train} without --config finds configs/default.yaml: in the working directory, else in
 * the repository the running jar was built in (the jar is REPO/training/target/minitransformer.jar),
 * so that {@code java -jar /path/to/minitransformer.jar train} works from any directory.
 */
final class DefaultConfig {
  static final Path RELATIVE = Path.of("configs", "default.yaml");

  /** How many directories above the jar's own are searched (target, training, the repository). */
  private static final int LEVELS_ABOVE_JAR = 3;

  private DefaultConfig() {}

  /** The default config for this process: the working directory first, then the jar's repository. */
  static Path locate() {
    return locate(Path.of("").toAbsolutePath(), runningJar());
  }

  /**
   * workingDirectory/configs/default.yaml when it exists; else configs/default.yaml in the jar's
   * directory or one of the {@value #LEVELS_ABOVE_JAR} above it (jar null: not run from a jar); else a
   * one-line error saying where it looked and what to do.
   */
  static Path locate(Path workingDirectory, Path jar) {
    Path here = workingDirectory.resolve(RELATIVE);
    if (Files.isRegularFile(here)) {
      return RELATIVE;
    }
    if (jar != null) {
      Path dir = jar.toAbsolutePath().getParent();
      for (int up = 0; up <= LEVELS_ABOVE_JAR && dir != null; up++, dir = dir.getParent()) {
        Path candidate = dir.resolve(RELATIVE);
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    }
    throw new ConfigException(RELATIVE + ": no such config file in " + workingDirectory
        + (jar == null ? "" : " nor in the repository of " + jar)
        + "; run from the repository root or pass --config FILE");
  }

  /** The jar this class was loaded from, null when it runs from a classes directory (tests, an IDE). */
  private static Path runningJar() {
    try {
      var source = DefaultConfig.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return null;
      }
      Path location = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(location) && location.toString().endsWith(".jar") ? location : null;
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }
}
