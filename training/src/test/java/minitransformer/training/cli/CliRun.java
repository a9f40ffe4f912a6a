package minitransformer.training.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import minitransformer.training.memory.AvailableMemory;
import org.junit.jupiter.api.Assertions;
import picocli.CommandLine;

/** One command run through {@link Main#commandLine()} as a test runs it: its exit code and what it printed. */
public record CliRun(int exit, String out, String err) {
  public static CliRun of(String... args) {
    return of(AvailableMemory.SYSTEM, args);
  }

  /** As {@link #of(String...)}, with the commands seeing {@code memory} as the memory available. */
  public static CliRun of(AvailableMemory memory, String... args) {
    CommandLine cli = Main.commandLine(memory);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  /** A user error: exit 2, nothing on stdout, exactly one line on stderr, "error: ..." naming {@code what}. */
  public void assertOneErrorLine(String what) {
    Assertions.assertEquals(2, exit, "exit code; stderr: " + err);
    String[] lines = err.strip().split("\\R");
    Assertions.assertEquals(1, lines.length, "one line expected, got:\n" + err);
    Assertions.assertTrue(lines[0].startsWith("error: "), lines[0]);
    Assertions.assertTrue(lines[0].contains(what), "\"" + what + "\" not in: " + lines[0]);
  }
}
