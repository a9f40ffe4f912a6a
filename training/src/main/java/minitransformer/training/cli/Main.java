package minitransformer.training.cli;

import minitransformer.datasets.IoReason;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import minitransformer.datasets.DataException;
import minitransformer.framework.ModelConfigException;
import minitransformer.training.TrainingDivergedException;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.config.ConfigException;
import minitransformer.training.memory.AvailableMemory;
import minitransformer.training.memory.MemoryException;
import minitransformer.training.memory.NativeMemory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** The {@code minitransformer} command: one subcommand per use case. */
@Command(
    name = "minitransformer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train a small GPT-style transformer defined as SameDiff graphs, and look inside it.",
    subcommands = {
      CommandLine.HelpCommand.class,
      TrainCommand.class,
      InspectCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      SampleCommand.class,
      PredictCommand.class,
      AttentionCommand.class,
      SimilarityCommand.class,
      ParamsCommand.class,
      BenchCommand.class,
      ServeCommand.class
    })
public final class Main implements Runnable {
  /** Errors the user can fix (bad config, data, checkpoint or command line; a file that cannot be written). */
  static final int EXIT_USAGE = 2;

  static final int EXIT_DIVERGED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private Main() {}

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static CommandLine commandLine() {
    return commandLine(AvailableMemory.SYSTEM);
  }

  /** The command line with its own source of the available memory (for tests). */
  public static CommandLine commandLine(AvailableMemory memory) {
    return commandLine(new CommandContext(memory, false));
  }

  private static CommandLine commandLine(CommandContext context) {
    return HelpLayout.install(new CommandLine(new Main(), context.factory()))
        .setExecutionStrategy(Main::executeWithNativeThreads)
        .setExecutionExceptionHandler(new UserErrors())
        .setParameterExceptionHandler(Main::badCommandLine);
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(commandLine(new CommandContext(AvailableMemory.SYSTEM, true)).execute(args));
  }

  /**
   * Runs the chosen subcommand after fixing the native thread setup and the C allocator's policy
   * (ND4J loads here, so --help and --version stay instant).
   */
  private static int executeWithNativeThreads(ParseResult parseResult) {
    if (runsACommand(parseResult)) {
      NativeMemory.keepFreedMemoryMapped();
      try {
        NativeThreads.apply();
      } catch (BadOptionException e) {
        throw new CommandLine.ExecutionException(parseResult.commandSpec().commandLine(), e.getMessage(), e);
      }
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  /** False for --help, --version, the help subcommand and no subcommand at all. */
  private static boolean runsACommand(ParseResult parseResult) {
    ParseResult last = parseResult;
    for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
        return false;
      }
      last = p;
    }
    return last != parseResult && !(last.commandSpec().userObject() instanceof CommandLine.HelpCommand);
  }

  /**
   * A command line picocli cannot parse (unknown or missing option, a value of the wrong type): one
   * {@code error:} line that names the problem, the nearest valid names for a mistyped subcommand or
   * option, and where to find help, exit code 2.
   */
  private static int badCommandLine(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    // picocli starts some messages (argument groups) with its own "Error: ".
    String message = e.getMessage().replaceFirst("^Error: ", "");
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
      // a mistyped subcommand or option: picocli's nearest name first ("trian": train, then similarity)
      message += " (did you mean " + unmatched.getSuggestions().get(0) + "?)";
    }
    cmd.getErr().println("error: " + message + " (see: " + cmd.getCommandSpec().qualifiedName() + " --help)");
    cmd.getErr().flush();
    return EXIT_USAGE;
  }

  /**
   * Maps the errors a user can cause to one line, {@code error: <message>}, and exit code 2 (3 for a
   * diverged run); the stack trace only with --verbose. Anything else is a bug and keeps its trace.
   */
  static final class UserErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult)
        throws Exception {
      PrintWriter err = commandLine.getErr();
      int code;
      if (e instanceof ConfigException
          || e instanceof DataException
          || e instanceof ModelConfigException
          || e instanceof CheckpointException
          || e instanceof BadOptionException
          || e instanceof MemoryException) {
        code = EXIT_USAGE;
      } else if (e instanceof TrainingDivergedException) {
        code = EXIT_DIVERGED;
      } else if (e instanceof UncheckedIOException io) {
        // a file that cannot be read or written (a full disk, a read-only directory): the user's to fix,
        // as a checkpoint save that fails is
        err.println("error: " + io.getMessage() + " (" + IoReason.of(io.getCause()) + ")");
        if (verbose(parseResult)) {
          e.printStackTrace(err);
        }
        err.flush();
        return EXIT_USAGE;
      } else {
        throw e;
      }
      err.println("error: " + e.getMessage());
      if (verbose(parseResult)) {
        e.printStackTrace(err);
      }
      err.flush();
      return code;
    }

    private static boolean verbose(ParseResult parseResult) {
      for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
        if (p.hasMatchedOption("--verbose")) {
          return true;
        }
      }
      return false;
    }
  }
}
