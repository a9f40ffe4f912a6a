package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 13, item 7: every command's help reads cleanly at 80 columns and at a wide terminal's width: no
 * line longer than the width, no word split across lines ("tokenizer.⏎json"), no description line
 * wrapped back to column 0 ("(÷√C)⏎tables"), no repeated split labels ("A,B,...[,A,B,......]"), and each
 * command's summary on one line of the command list.
 */
class HelpLayoutTest {

  @ParameterizedTest
  @ValueSource(ints = {80, 120})
  void everyCommandsHelpFitsTheWidthWithoutBrokenWords(int width) {
    CommandLine root = Main.commandLine();
    root.setUsageHelpAutoWidth(false);
    root.setUsageHelpWidth(width);
    check(root, width);
    for (CommandLine sub : root.getSubcommands().values()) {
      check(sub, width);
    }
    String rootHelp = root.getUsageMessage(CommandLine.Help.Ansi.OFF);
    for (CommandLine sub : root.getSubcommands().values()) {
      String[] header = sub.getCommandSpec().usageMessage().header();
      String[] description = sub.getCommandSpec().usageMessage().description();
      String summary = header.length > 0 ? header[0] : description.length == 0 ? "" : description[0];
      assertTrue(rootHelp.lines().anyMatch(l -> l.strip().endsWith(summary.strip())),
          sub.getCommandName() + "'s summary on one line of the command list:\n" + rootHelp);
    }
  }

  private static void check(CommandLine cli, int width) {
    CommandSpec spec = cli.getCommandSpec();
    String name = spec.qualifiedName();
    String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF);
    for (String line : help.split("\\R")) {
      assertTrue(line.codePointCount(0, line.length()) <= width,
          name + ": a line longer than " + width + " columns: " + line + "\n" + help);
    }
    assertFalse(help.contains("...["), name + ": a repeated split label:\n" + help);
    String synopsis = cli.getHelp().synopsis(0);
    for (String line : synopsis.split("\\R")) {
      assertFalse(line.endsWith(",") || line.endsWith("[") || line.strip().startsWith("[,"),
          name + ": the synopsis breaks inside an option:\n" + synopsis);
    }
    Set<String> words = new HashSet<>(Arrays.asList(help.split("\\s+")));
    for (String d : spec.usageMessage().description()) {
      String line = String.format(d);
      if (!line.isBlank() && !line.contains("\n") && line.length() <= width) {
        assertTrue(help.lines().anyMatch(l -> l.equals(line)), name + ": description line wrapped: " + line + "\n" + help);
      }
      intact(name, line, words, help);
    }
    for (OptionSpec option : spec.options()) {
      for (String d : option.description()) {
        intact(name + " " + option.longestName(), d.replace("${DEFAULT-VALUE}", String.valueOf(option.defaultValue())),
            words, help);
      }
    }
  }

  private static void intact(String where, String text, Set<String> helpWords, String help) {
    for (String word : List.of(text.split("\\s+"))) {
      if (!word.isEmpty() && !word.contains("${")) {
        assertTrue(helpWords.contains(word), where + ": \"" + word + "\" split across lines:\n" + help);
      }
    }
  }
}
