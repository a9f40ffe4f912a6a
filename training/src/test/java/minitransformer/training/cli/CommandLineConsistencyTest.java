package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Options every command shares come from one mixin each, so they read and behave the same everywhere. */
class CommandLineConsistencyTest {
  @TempDir Path tmp;

  private static Map<String, CommandLine> commands() {
    Map<String, CommandLine> commands = new java.util.TreeMap<>(Main.commandLine().getSubcommands());
    commands.remove("help");
    return commands;
  }

  @Test
  void everyCommandTakesVerbose() {
    assertEquals(10, commands().size(), commands().keySet().toString());
    commands().forEach((name, cmd) -> assertNotNull(cmd.getCommandSpec().findOption("--verbose"), name));
  }

  @Test
  void everyCheckpointOptionIsTheSameMixin() {
    Set<String> descriptions = new HashSet<>();
    Set<String> withCheckpoint = new HashSet<>();
    commands().forEach((name, cmd) -> {
      OptionSpec option = cmd.getCommandSpec().findOption("--checkpoint");
      if (option != null) {
        withCheckpoint.add(name);
        descriptions.add(String.join(" ", option.description()));
        // params takes --config or --checkpoint, a picocli argument group, which cannot hold a mixin
        assertTrue(name.equals("params")
                || cmd.getCommandSpec().mixins().values().stream().anyMatch(m -> m.userObject() instanceof ModelOptions),
            name + ": --checkpoint is not the ModelOptions mixin");
      }
    });
    assertEquals(Set.of("inspect", "export", "sample", "predict", "attention", "similarity", "params"), withCheckpoint);
    assertEquals(1, descriptions.size(), descriptions.toString());
  }

  @Test
  void verboseAddsTheStackTraceToTheOneErrorLine() {
    String missing = tmp.resolve("nothing").toString();
    for (String command : new String[] {"inspect", "export"}) { // neither took --verbose before
      String[] args = command.equals("export")
          ? new String[] {command, "--checkpoint", missing, "--out", tmp.resolve("m.npz").toString()}
          : new String[] {command, "--checkpoint", missing};
      CliRun.of(args).assertOneErrorLine("nothing");
      String[] verbose = java.util.Arrays.copyOf(args, args.length + 1);
      verbose[args.length] = "--verbose";
      CliRun r = CliRun.of(verbose);
      assertEquals(2, r.exit(), r.err());
      assertTrue(r.err().startsWith("error: ") && r.err().contains("\tat minitransformer."), r.err());
    }
  }
}
