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
 * allows, and that allows a break after every dot and comma, so "tokenizer.json" came out as
 * "tokenizer.⏎json" and "--workload=NAME[,NAME...]" as "--workload=NAME[,⏎NAME...]". The synopsis and the
 * options' descriptions are laid out with a dot leader (U+2024) and two private-use characters (the
 * iterator sees letters), where it never breaks, in place of each dot, comma and opening bracket
 * inside a word, and get them back when printed.
 * The command's own description is wrapped here at spaces, continuation lines indented under the first.
 */
final class HelpLayout extends Help {
  private static final char DOT = '\u2024';
  private static final char COMMA = '\uE001'; // private use, as BRACKET
  private static final char BRACKET = '\uE000'; // private use: the iterator sees a letter

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
  protected String makeSynopsisFromParts(
      int headingLength, Text options, Text groups, Text endOfOptions, Text positionals, Text command) {
    return restore(super.makeSynopsisFromParts(headingLength, guard(options, colorScheme()),
        guard(groups, colorScheme()), endOfOptions, guard(positionals, colorScheme()), command));
  }

  /** text with its in-word dots and commas replaced by stand-ins (and its styles dropped, if it had any). */
  private static Text guard(Text text, ColorScheme scheme) {
    String plain = text.plainString();
    String guarded = plain.replaceAll("(?<=\\S)\\.(?=\\S)", String.valueOf(DOT))
        .replaceAll("(?<=\\S),(?=\\S)", String.valueOf(COMMA))
        .replaceAll("(?<=\\S)\\[(?=\\S)", String.valueOf(BRACKET));
    return guarded.equals(plain) ? text : scheme.ansi().new Text(guarded, scheme);
  }

  private static String restore(String laidOut) {
    return laidOut.replace(DOT, '.').replace(COMMA, ',').replace(BRACKET, '[');
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

  /** A text table that wraps words with dots and commas in them whole. */
  private static final class DotSafeTable extends TextTable {
    private final ColorScheme scheme;

    DotSafeTable(ColorScheme scheme, Help.Column[] columns) {
      super(scheme, columns);
      this.scheme = scheme;
    }

    @Override
    public Cell putValue(int row, int col, Text value) {
      return super.putValue(row, col, guard(value, scheme));
    }

    @Override
    public StringBuilder toString(StringBuilder text) {
      int start = text.length();
      super.toString(text);
      String laidOut = restore(text.substring(start));
      text.setLength(start);
      return text.append(laidOut);
    }
  }
}
