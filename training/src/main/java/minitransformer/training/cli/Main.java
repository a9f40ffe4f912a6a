package minitransformer.training.cli;

import minitransformer.datasets.DataException;
import minitransformer.framework.ModelConfigException;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code minitransformer} command: one subcommand per use case. */
@Command(
    name = "minitransformer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train a small GPT-style transformer defined as SameDiff graphs, and look inside it.",
    subcommands = {
      CommandLine.HelpCommand.class,
      InspectCommand.class,
      ExportCommand.class,
      ImportCommand.class
    })
public final class Main implements Runnable {
  /** The exit code of an error the user can fix (a bad file, key or value). */
  public static final int USER_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (isUserError(e)) {
        commandLine.getErr().println("error: " + e.getMessage());
        return USER_ERROR;
      }
      throw e;
    });
    return cli;
  }

  private static boolean isUserError(Exception e) {
    return e instanceof CheckpointException
        || e instanceof ConfigException
        || e instanceof DataException
        || e instanceof ModelConfigException;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
