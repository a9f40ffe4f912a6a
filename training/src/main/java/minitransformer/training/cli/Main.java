package minitransformer.training.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code minitransformer} command: one subcommand per use case. */
@Command(
    name = "minitransformer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train a small GPT-style transformer defined as SameDiff graphs, and look inside it.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
