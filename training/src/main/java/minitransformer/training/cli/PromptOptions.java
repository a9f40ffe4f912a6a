package minitransformer.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.WordTokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The prompt of {@code sample} and {@code predict}: {@code --prompt TEXT} or {@code --prompt-file FILE}
 * (UTF-8), then encoded. A character the character tokenizer does not know is an error naming it; a
 * word the word tokenizer does not know is read as {@code <unk>} with a warning naming it.
 */
public final class PromptOptions {
  static final String HELP = "Unknown input: with a character tokenizer a character outside the vocabulary is an"
      + " error that names it; with a word tokenizer unknown words are read as <unk>, and a warning on stderr"
      + " names them.";

  @Option(names = "--prompt", paramLabel = "TEXT", description = "The text to continue.")
  String prompt;

  @Option(names = "--prompt-file", paramLabel = "FILE", description = "Read the prompt from a UTF-8 file instead.")
  Path promptFile;

  /** The prompt text; one-line errors for none, both, an unreadable file or an empty prompt. */
  String text(CommandLine cli) {
    if (prompt != null && promptFile != null) {
      throw new BadOptionException("give either --prompt or --prompt-file, not both");
    }
    if (prompt == null && promptFile == null) {
      throw new BadOptionException("a prompt is needed: --prompt TEXT or --prompt-file FILE");
    }
    String text;
    String source;
    if (prompt != null) {
      text = prompt;
      source = "--prompt";
    } else {
      source = "--prompt-file " + promptFile;
      try {
        text = Files.readString(promptFile);
      } catch (NoSuchFileException e) {
        throw new BadOptionException(promptFile + ": prompt file not found");
      } catch (CharacterCodingException e) {
        throw new BadOptionException(promptFile + ": prompt file is not valid UTF-8");
      } catch (IOException e) {
        throw new BadOptionException(promptFile + ": cannot read the prompt file (" + e + ")");
      }
    }
    if (text.isEmpty()) {
      throw new BadOptionException(source + ": the prompt is empty");
    }
    return text;
  }

  /** The prompt's token ids; warns on err about words read as <unk>. */
  int[] encode(CommandLine cli, Tokenizer tokenizer, PrintWriter err) {
    String text = text(cli);
    if (tokenizer instanceof WordTokenizer words) {
      Set<String> unknown = new LinkedHashSet<>();
      List<String> split = new ArrayList<>(words.split(text));
      for (String token : split) {
        if (words.id(token).isEmpty()) {
          unknown.add(token);
        }
      }
      if (split.isEmpty()) {
        throw new BadOptionException("the prompt holds no words, only white space");
      }
      if (!unknown.isEmpty()) {
        err.println("warning: not in the vocabulary, read as " + WordTokenizer.UNK + ": " + String.join(", ", unknown));
      }
    }
    int[] ids = tokenizer.encode(text); // a char tokenizer throws DataException naming the character
    if (ids.length == 0) {
      throw new BadOptionException("the prompt encodes to no tokens");
    }
    return ids;
  }
}
