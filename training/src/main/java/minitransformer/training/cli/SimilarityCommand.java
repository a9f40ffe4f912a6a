package minitransformer.training.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import minitransformer.datasets.Tokenizer;
import minitransformer.framework.analysis.HiddenStates;
import minitransformer.framework.analysis.Similarity;
import minitransformer.framework.analysis.TokenEmbeddings;
import minitransformer.training.TrainedModel;
import minitransformer.training.report.WordToken;
import minitransformer.training.viz.TokenText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code similarity}: how alike the learned token embeddings are (dot product, cosine, scaled dot
 * product), the nearest tokens to a word, and how context moves one word's vector through the layers.
 */
@Command(
    name = "similarity",
    mixinStandardHelpOptions = true,
    abbreviateSynopsis = true, // the three modes below read better than one long line of options
    description = {
      "Compare token embeddings (rows of wte).",
      "One of:",
      "  --words A,B,C",
      "      dot product, cosine and scaled dot product (÷√C) tables",
      "  --nearest WORD [--top N]",
      "      the N nearest tokens by cosine",
      "  --prompt TEXT --word W --ref A,B",
      "      W's vector after each layer vs the embeddings of A, B (cosine)",
      PromptOptions.HELP
    })
public final class SimilarityCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions checkpoint;

  @Option(names = "--words", split = ",", paramLabel = "WORD",
      description = "Words to compare, comma-separated (two or more).")
  List<String> words;

  @Option(names = "--nearest", paramLabel = "WORD", description = "List the tokens nearest to this word by cosine.")
  String nearest;

  @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "With --nearest: how many (default ${DEFAULT-VALUE}).")
  int top;

  @Mixin PromptOptions prompt;

  @Option(names = "--word", paramLabel = "W", description = "With --prompt: the word to follow (its last occurrence).")
  String word;

  @Option(names = "--ref", split = ",", paramLabel = "WORD",
      description = "With --prompt: reference words, comma-separated.")
  List<String> ref;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    int modes = (words != null ? 1 : 0) + (nearest != null ? 1 : 0) + (prompt.given() ? 1 : 0);
    if (modes != 1) {
      throw new BadOptionException("give exactly one of --words, --nearest or --prompt (with --word and --ref)");
    }
    if (prompt.given() && (word == null || ref == null)) {
      throw new BadOptionException("--prompt needs --word W and --ref A,B,...");
    }
    if (!prompt.given() && (word != null || ref != null)) {
      throw new BadOptionException((word != null ? "--word" : "--ref") + " goes with --prompt");
    }
    if (words != null && words.size() < 2) {
      throw new BadOptionException("--words needs at least two words, got " + words.size());
    }
    if (top < 1) {
      throw new BadOptionException("--top must be >= 1, got " + top);
    }
    TrainedModel loaded = checkpoint.load(spec.commandLine().getErr());
    Tokenizer tokenizer = loaded.tokenizer();
    TokenEmbeddings wte = TokenEmbeddings.of(loaded.gpt());
    if (words != null) {
      tables(out, tokenizer, wte);
    } else if (nearest != null) {
      nearest(out, tokenizer, wte);
    } else {
      trajectory(out, loaded, tokenizer, wte);
    }
    out.flush();
    return 0;
  }

  private void tables(PrintWriter out, Tokenizer tokenizer, TokenEmbeddings wte) {
    List<Integer> ids = wordIds(tokenizer, words);
    double[][] vectors = ids.stream().map(wte::vector).toArray(double[][]::new);
    List<String> labels = TokenText.labels(tokenizer, ids);
    out.printf(Locale.ROOT, "token embeddings (rows of wte, C = %d)%n", wte.width());
    for (Similarity measure : Similarity.values()) {
      out.println();
      out.println(measure.title());
      printTable(out, labels, labels, measure.table(vectors));
    }
  }

  private void nearest(PrintWriter out, Tokenizer tokenizer, TokenEmbeddings wte) {
    int id = wordId(tokenizer, nearest);
    out.printf(Locale.ROOT, "nearest to \"%s\" by cosine similarity of token embeddings%n", TokenText.display(tokenizer.token(id)));
    int rank = 1;
    for (TokenEmbeddings.Neighbour n : wte.nearest(id, top, Similarity.COSINE)) {
      out.printf(Locale.ROOT, "%3d  %-16s %8.4f%n", rank++, TokenText.display(tokenizer.token(n.id())), n.similarity());
    }
  }

  private void trajectory(PrintWriter out, TrainedModel loaded, Tokenizer tokenizer, TokenEmbeddings wte) {
    int[] ids = prompt.encode(loaded, spec.commandLine().getErr()).context();
    wordId(tokenizer, word); // a word that is not one token is named as such
    int position = WordToken.lastPosition(tokenizer, word, ids);
    if (position < 0) {
      throw new BadOptionException("--word \"" + word + "\" does not occur in the prompt (tokens: "
          + String.join(" ", TokenText.labels(tokenizer, ids)) + ")");
    }
    List<Integer> refIds = wordIds(tokenizer, ref);
    double[][] references = refIds.stream().map(wte::vector).toArray(double[][]::new);
    HiddenStates states = HiddenStates.of(loaded.gpt(), ids, position);
    double[][] cosines = states.similarities(references, Similarity.COSINE);
    out.printf(Locale.ROOT, "\"%s\" at position %d: cosine similarity of its vector after each layer to the"
        + " reference words' token embeddings%n", TokenText.display(tokenizer.token(ids[position])), position);
    printTable(out, states.stages(), TokenText.labels(tokenizer, refIds), cosines);
  }

  /** The id of one word's token ({@link WordToken}: " word" in a byte-level BPE vocabulary). */
  private static int wordId(Tokenizer tokenizer, String word) {
    try {
      return WordToken.id(tokenizer, word);
    } catch (WordToken.NotOneToken e) {
      throw new BadOptionException(e.getMessage());
    }
  }

  private static List<Integer> wordIds(Tokenizer tokenizer, List<String> words) {
    List<Integer> ids = new ArrayList<>();
    for (String word : words) {
      ids.add(wordId(tokenizer, word));
    }
    return ids;
  }

  private static void printTable(PrintWriter out, List<String> rows, List<String> columns, double[][] values) {
    int first = 8;
    for (String r : rows) {
      first = Math.max(first, r.length() + 1);
    }
    int width = 10;
    for (String c : columns) {
      width = Math.max(width, c.length() + 2);
    }
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + first + "s", ""));
    for (String c : columns) {
      header.append(String.format(Locale.ROOT, "%" + width + "s", c));
    }
    out.println(header);
    for (int i = 0; i < rows.size(); i++) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + first + "s", rows.get(i)));
      for (int j = 0; j < columns.size(); j++) {
        line.append(String.format(Locale.ROOT, "%" + width + ".4f", values[i][j]));
      }
      out.println(line);
    }
  }
}
