package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import minitransformer.training.TinyRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A write refused for permission says "permission denied", not only the file's name. */
class PermissionDeniedTest {
  @TempDir Path dir;

  @Test
  void theErrorLineNamesTheReason() throws Exception {
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int code = new Main.UserErrors().handleExecutionException(
        new UncheckedIOException("cannot write runs/a/config.yaml",
            new AccessDeniedException("runs/a/config.yaml.tmp")),
        cli, cli.parseArgs());
    assertEquals(2, code);
    assertEquals("error: cannot write runs/a/config.yaml (permission denied: runs/a/config.yaml.tmp)", err.toString().strip());
  }

  /** Needs an ordinary user: root may write into a read-only directory. */
  @Test
  void aReadOnlyRunDirectory() throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root ignores directory permissions");
    Path config = TinyRuns.write(dir, "");
    Path run = Files.createDirectories(dir.resolve("runs/locked"));
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      CliRun r = CliRun.of("train", "--config", config.toString(), "--run", "locked");
      r.assertOneErrorLine("permission denied");
    } finally {
      Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }
}
