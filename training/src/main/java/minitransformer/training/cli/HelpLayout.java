package minitransformer.training.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Picocli's help, wrapped only between words. Picocli breaks lines where the JDK's line BreakIterator
 * allows, and that allows a break after every dot, so "tokenizer.json" came out as "tokenizer.⏎json".
 * Options' descriptions go through a table that shows the iterator a dot leader (U+2024, where it never
 * breaks) in place of each dot inside a word and puts the dots back when the table is printed. The
 * command's own description is wrapped here at spaces, continuation lines indented under the first.
 */
final class HelpLayout extends Help {
  private static final char STAND_IN = '\u2024';

  HelpLayout(CommandSpec spec, ColorScheme colorScheme) {
    super(spec, colorScheme);
  }

  /** Installs this layout and the terminal's width (80 columns when it is unknown) on cli and its subcommands. */
  static CommandLine install(CommandLine cli) {
    return cli.setHelpFactory(HelpLayout::new).setUsageHelpAutoWidth(true);
  }

  @Override
  public Layout createDefaultLayout(
      List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
    Layout layout = super.createDefaultLayout(options, positionals, scheme);
    return new Layout(scheme, new DotSafeTable(scheme, layout.textTable().columns()));
  }

  @Override
  public String description(Object... params) {
    StringBuilder out = new StringBuilder();
    for (String entry : commandSpec().usageMessage().description()) {
      String formatted = params.length == 0 ? entry.replace("%n", "\n") : String.format(entry, params);
      for (String line : formatted.split("\\R", -1)) {
        wrap(line, commandSpec().usageMessage().width(), out);
      }
    }
    return out.toString();
  }

  /** line cut at spaces into lines of at most width columns, continuations indented two more than line. */
  static void wrap(String line, int width, StringBuilder out) {
    int indent = 0;
    while (indent < line.length() && line.charAt(indent) == ' ') {
      indent++;
    }
    String prefix = " ".repeat(indent);
    List<String> words = new ArrayList<>(List.of(line.substring(indent).split(" +")));
    StringBuilder current = new StringBuilder(prefix);
    boolean empty = true;
    for (String word : words) {
      if (!empty && current.length() + 1 + word.length() > width) {
        out.append(current.toString().stripTrailing()).append('\n');
        current = new StringBuilder(prefix + "  ");
        empty = true;
      }
      current.append(empty ? "" : " ").append(word);
      empty = false;
    }
    out.append(current.toString().stripTrailing()).append('\n');
  }

  /** A text table that wraps words with dots in them whole. */
  private static final class DotSafeTable extends TextTable {
    private final ColorScheme scheme;

    DotSafeTable(ColorScheme scheme, Help.Column[] columns) {
      super(scheme, columns);
      this.scheme = scheme;
    }

    @Override
    public Cell putValue(int row, int col, Text value) {
      String plain = value.plainString();
      String guarded = plain.replaceAll("(?<=\\S)\\.(?=\\S)", String.valueOf(STAND_IN));
      return super.putValue(row, col, guarded.equals(plain) ? value : scheme.ansi().new Text(guarded, scheme));
    }

    @Override
    public StringBuilder toString(StringBuilder text) {
      int start = text.length();
      super.toString(text);
      for (int i = start; i < text.length(); i++) {
        if (text.charAt(i) == STAND_IN) {
          text.setCharAt(i, '.');
        }
      }
      return text;
    }
  }
}
