package minitransformer.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.function.IntConsumer;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.WordTokenizer;
import minitransformer.training.TrainedModel;
import minitransformer.training.report.Prompt;
import picocli.CommandLine.Option;

/**
 * The prompt of every command that reads one ({@code sample}, {@code predict}, {@code attention},
 * {@code similarity}): {@code --prompt TEXT} or {@code --prompt-file FILE} (UTF-8), encoded with one
 * policy for all of them, stated in {@link #HELP}.
 */
public final class PromptOptions {
  static final String HELP = "Prompt: --prompt TEXT or --prompt-file FILE (UTF-8). A prompt longer than the model's"
      + " block_size is read as its last block_size tokens, with a warning on stderr. Unknown input: with a"
      + " character tokenizer a character outside the vocabulary is an error that names it; with a word tokenizer"
      + " unknown words are read as <unk>, and a warning on stderr names them.";

  @Option(names = "--prompt", paramLabel = "TEXT", description = "The text to read.")
  String prompt;

  @Option(names = "--prompt-file", paramLabel = "FILE", description = "Read the prompt from a UTF-8 file instead.")
  Path promptFile;

  /** Whether --prompt or --prompt-file was given. */
  boolean given() {
    return prompt != null || promptFile != null;
  }

  /** The prompt text; one-line errors for none, both, an unreadable file or an empty prompt. */
  String text() {
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
      } catch (IOException e) {
        throw unreadable(e);
      }
    }
    if (text.isEmpty()) {
      throw new BadOptionException(source + ": the prompt is empty");
    }
    return text;
  }

  /**
   * The prompt's token count and its last block_size tokens, which the model reads, in one pass over
   * the text that holds no more than a chunk of it and those last tokens. Warns on err about words
   * read as {@code <unk>} and about a prompt longer than the block.
   */
  Prompt encode(TrainedModel model, PrintWriter err) {
    return encode(model.tokenizer(), model.config().blockSize(), err);
  }

  /** As {@link #encode(TrainedModel, PrintWriter)} for a model's tokenizer and block size. */
  Prompt encode(Tokenizer tokenizer, int blockSize, PrintWriter err) {
    PromptScan scan = scan(tokenizer, blockSize, id -> {}); // a char tokenizer throws DataException naming the character
    if (scan.chars() == 0) {
      throw new BadOptionException((prompt != null ? "--prompt" : "--prompt-file " + promptFile)
          + ": the prompt is empty");
    }
    if (scan.noWords()) {
      throw new BadOptionException("the prompt holds no words, only white space");
    }
    if (!scan.unknownWords().isEmpty()) {
      err.println("warning: not in the vocabulary, read as " + WordTokenizer.UNK + ": " + scan.unknownWords());
    }
    if (scan.tokens() == 0) {
      throw new BadOptionException("the prompt encodes to no tokens");
    }
    Prompt encoded = new Prompt(scan.tokens(), scan.last());
    encoded.warning().ifPresent(err::println);
    return encoded;
  }

  /** Reads the prompt again and hands each of its ids to {@code each}, in one pass (sample prints it). */
  void forEachId(Tokenizer tokenizer, IntConsumer each) {
    scan(tokenizer, 1, each);
  }

  private PromptScan scan(Tokenizer tokenizer, int keep, IntConsumer each) {
    if (prompt != null && promptFile != null) {
      throw new BadOptionException("give either --prompt or --prompt-file, not both");
    }
    if (prompt == null && promptFile == null) {
      throw new BadOptionException("a prompt is needed: --prompt TEXT or --prompt-file FILE");
    }
    if (prompt != null) {
      try {
        return PromptScan.read(tokenizer, new StringReader(prompt), keep, each);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a StringReader does not fail
      }
    }
    try (Reader in = Files.newBufferedReader(promptFile)) { // strict UTF-8: malformed input is an error
      return PromptScan.read(tokenizer, in, keep, each);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  /** The one line for a prompt file that cannot be read, with the reason. */
  private BadOptionException unreadable(IOException e) {
    if (e instanceof NoSuchFileException) {
      return new BadOptionException(promptFile + ": prompt file not found");
    }
    if (e instanceof CharacterCodingException) {
      return new BadOptionException(promptFile + ": prompt file is not valid UTF-8");
    }
    return new BadOptionException(promptFile + ": cannot read the prompt file (" + e + ")");
  }
}
