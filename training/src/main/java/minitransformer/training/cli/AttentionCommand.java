package minitransformer.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import minitransformer.datasets.Tokenizer;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadSelection;
import minitransformer.framework.analysis.RawScores;
import minitransformer.training.TrainedModel;
import minitransformer.training.viz.AttentionCsv;
import minitransformer.training.viz.AttentionHtml;
import minitransformer.training.viz.AttentionPng;
import minitransformer.training.viz.AttentionTerminal;
import minitransformer.training.viz.TokenText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attention --checkpoint DIR --prompt TEXT}: what each head attends to, as a terminal heatmap,
 * a PNG, an interactive HTML page or a CSV; with {@code --explain}, the q·k calculation behind one
 * query position.
 */
@Command(
    name = "attention",
    mixinStandardHelpOptions = true,
    description = {
      "Show what each attention head looks at.",
      "The attention pattern of a prompt: in the terminal, or --out FILE.png (heatmaps), FILE.html"
          + " (one self-contained interactive page with every layer and head) or FILE.csv.",
      "With --explain: for one query position, each head's q·k, scaled scores, causal mask, softmax weights"
          + " and value contributions, recomputed from the learned W_Q, W_K, W_V, W_O.",
      PromptOptions.HELP
    })
public final class AttentionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions checkpoint;

  @Mixin PromptOptions prompt;

  @Option(names = "--layer", paramLabel = "L",
      description = "Only this block (0-based). Default: every layer (the terminal shows a focus grid of every"
          + " head and the heatmaps of the most focused ones).")
  Integer layer;

  @Option(names = "--head", paramLabel = "H",
      description = "Only this head (0-based), in every layer unless --layer is given.")
  Integer head;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Write FILE.png, FILE.html (always every layer and head) or FILE.csv instead of drawing in the terminal.")
  Path out;

  @Option(names = "--explain", description = "Explain one query position step by step (see --position).")
  boolean explain;

  @Option(names = "--position", paramLabel = "I",
      description = "With --explain: the query position (0-based; default: the last token).")
  Integer position;

  @Option(names = "--vectors", description = "With --explain: also print q, every k, v and w·v vector.")
  boolean vectors;

  @Option(names = "--raw-scores",
      description = "Print each head's raw score matrix A = q·kᵀ before the scale and the mask (row: query, column:"
          + " key), its transpose, and the asymmetry ‖A − Aᵀ‖ / ‖A‖: why W_Q and W_K are two matrices.")
  boolean rawScores;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!explain && (position != null || vectors)) {
      throw new BadOptionException((position != null ? "--position" : "--vectors") + " needs --explain");
    }
    if (rawScores && (explain || out != null)) {
      throw new BadOptionException("--raw-scores prints to the terminal; it does not go with --explain or --out");
    }
    if (explain && out != null) {
      throw new BadOptionException("--explain prints to the terminal; it does not go with --out");
    }
    String format = out == null ? null : extension(out);
    TrainedModel loaded = checkpoint.load(err);
    GPTConfig config = loaded.gpt().config();
    checkRange("--layer", layer, config.nLayer(), "layers");
    checkRange("--head", head, config.nHead(), "heads per layer");
    Tokenizer tokenizer = loaded.tokenizer();
    int[] ids = prompt.encode(loaded, err).context();
    List<String> labels = TokenText.labels(tokenizer, ids);

    if (explain) {
      int t = position == null ? ids.length - 1 : position;
      checkRange("--position", t, ids.length, "tokens");
      ExplainText.print(stdout, loaded, ids, labels, t, new HeadSelection(layer, head), vectors);
      return 0;
    }
    if (rawScores) {
      rawScores(stdout, loaded, ids, labels);
      return 0;
    }
    AttentionMaps maps = AttentionMaps.of(loaded.gpt(), ids);
    if (out == null) {
      AttentionTerminal.draw(stdout, maps, labels, layer, head);
      return 0;
    }
    switch (format) {
      case "png" -> AttentionPng.write(out, maps, layer, head, labels, title(loaded));
      case "html" -> writeText(out, AttentionHtml.page(title(loaded), maps, labels));
      case "csv" -> {
        List<String> tokens = java.util.Arrays.stream(ids).mapToObj(tokenizer::token).toList();
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
          AttentionCsv.write(w, maps, tokens, layer, head);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + out, e);
        }
      }
      default -> throw new IllegalStateException(format);
    }
    stdout.println("wrote " + out);
    stdout.flush();
    return 0;
  }

  /** What a picture or page shows: the prompt and the checkpoint. */
  private String title(TrainedModel loaded) {
    return "Attention: \"" + prompt.text() + "\" (" + loaded.directory().getFileName() + ")";
  }

  private void rawScores(PrintWriter o, TrainedModel loaded, int[] ids, List<String> labels) {
    GPTConfig config = loaded.gpt().config();
    o.println("A[t][s] = q_t·k_s for every query t (row) and key s (column), before ÷√hs and the causal mask;"
        + " Aᵀ[t][s] = q_s·k_t.");
    o.println("One shared matrix (W_Q = W_K) would make A symmetric: asymmetry = ‖A − Aᵀ‖ / ‖A‖ (0 symmetric,"
        + " 2 antisymmetric).");
    HeadSelection shown = new HeadSelection(layer, head);
    for (int l : shown.layers(config.nLayer())) {
      RawScores raw = RawScores.of(loaded.gpt(), ids, l);
      for (int h : shown.heads(config.nHead())) {
        o.printf(Locale.ROOT, "%n-- block %d, head %d: asymmetry ‖A − Aᵀ‖ / ‖A‖ = %.4f%n", l, h, raw.asymmetry(h));
        o.println("A = q·kᵀ");
        matrix(o, raw.matrix(h), labels);
        o.println("Aᵀ");
        matrix(o, raw.transposed(h), labels);
      }
    }
    o.flush();
  }

  private static void matrix(PrintWriter o, double[][] a, List<String> labels) {
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "   %-14s", ""));
    for (int s = 0; s < a.length; s++) {
      header.append(String.format(Locale.ROOT, " %8d", s));
    }
    o.println(header);
    for (int t = 0; t < a.length; t++) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%2d %-14s", t, clip(labels.get(t))));
      for (int s = 0; s < a.length; s++) {
        row.append(String.format(Locale.ROOT, " %8.3f", a[t][s]));
      }
      o.println(row);
    }
  }

  static String clip(String label) {
    return label.length() > 14 ? label.substring(0, 13) + "…" : label;
  }

  private static void checkRange(String option, Integer value, int size, String what) {
    if (value != null && (value < 0 || value >= size)) {
      throw new BadOptionException(option + " " + value + " is out of range: the " + (option.equals("--position")
          ? "prompt has " : "model has ") + size + " " + what + " (0.." + (size - 1) + ")");
    }
  }

  private static String extension(Path file) {
    String name = file.getFileName().toString();
    String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
    if (!List.of("png", "html", "csv").contains(ext)) {
      throw new BadOptionException("--out " + file + ": the file must end in .png, .html or .csv");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new BadOptionException("--out " + file + ": " + parent
          + (Files.exists(parent) ? " is a file, not a directory" : ": the directory does not exist"));
    }
    return ext;
  }

  private static void writeText(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
