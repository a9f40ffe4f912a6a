package minitransformer.training.cli;

import picocli.CommandLine.Option;

/**
 * {@code --verbose}, shared by every command: errors a user can cause print one line; with this
 * option their stack trace follows ({@link Main.UserErrors} looks for it).
 */
public final class VerboseOption {
  @Option(names = "--verbose", description = "Show the stack trace of an error after its one-line message.")
  boolean verbose;
}
