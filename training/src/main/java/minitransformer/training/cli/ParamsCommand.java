package minitransformer.training.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.InitFrom;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.ModelArchitecture;
import minitransformer.training.report.Json;
import minitransformer.training.report.ParamsDocument;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code params}: every parameter matrix of an architecture with its shape and count, per layer and in
 * total, and the shares of attention and MLP. Counted from the config alone, so models far too large
 * to build (GPT-3 175B) count too.
 */
@Command(
    name = "params",
    mixinStandardHelpOptions = true,
    description = {"Count the parameters of a config or a checkpoint.",
        "Per layer, in total, and attention vs MLP; with --all, every matrix. Counted from the config alone,"
            + " so models far too large to build (GPT-3 175B) count too."})
public final class ParamsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  static final class Source {
    @Option(names = "--config", paramLabel = "FILE",
        description = "A config file; its vocabulary size is model.vocab_size, or else its corpus's (read and tokenized).")
    Path config;

    // Not the ModelOptions mixin: picocli allows no mixin in an argument group; the same text and resolution.
    @Option(names = "--checkpoint", paramLabel = "DIR", description = ModelOptions.DESCRIPTION)
    Path checkpoint;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--all", description = "Every matrix of every layer (default: one layer's, × the layer count).")
  boolean all;

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    GPTConfig config = source.config != null ? fromConfig(source.config) : fromCheckpoint(source.checkpoint);
    ParameterCount count = ParameterCount.of(config);
    if (json) {
      out.println(Json.MAPPER.writeValueAsString(ParamsDocument.of(config, count)));
    } else {
      table(out, config, count, all);
    }
    out.flush();
    return 0;
  }

  private static GPTConfig fromConfig(Path file) {
    ModelArchitecture architecture = ConfigLoader.loadArchitecture(file);
    if (architecture.vocabSize().isPresent()) {
      return architecture.toGptConfig();
    }
    Config config = ConfigLoader.load(file, List.of(), InitFrom.CHECKPOINTS); // a fine-tune's: its checkpoint's
    int vocabSize = TrainingRun.loadCorpus(config).tokenizer().vocabSize();
    return config.model().toGptConfig(vocabSize);
  }

  private GPTConfig fromCheckpoint(Path checkpoint) {
    PrintWriter err = spec.commandLine().getErr();
    return ModelOptions.readModel(checkpoint, err).state().model();
  }

  /**
   * The table. Every layer has the same matrices, so unless every is set only h0's rows are listed, then
   * its total "× n_layer layers": GPT-3 175B's 96 layers take 20 lines instead of 1,649.
   */
  private static void table(PrintWriter out, GPTConfig c, ParameterCount count, boolean every) {
    out.printf(Locale.ROOT, "model: %d layers, %d heads (hs %d), width C = %d, block %d, vocabulary %,d, %s positions,"
            + " bias %s, tied embeddings %s%n", c.nLayer(), c.nHead(), c.headSize(), c.nEmbd(), c.blockSize(),
        c.vocabSize(), c.positionalEncoding().name().toLowerCase(Locale.ROOT), c.bias(), c.tieEmbeddings());
    out.printf(Locale.ROOT, "blocks: %s%n", c.blocksSummary());
    out.println();
    String format = "%-20s %-20s %-16s %,18d%n";
    out.printf(Locale.ROOT, "%-20s %-20s %-16s %18s%n", "matrix", "what", "shape", "parameters");
    int layer = -1;
    for (ParameterCount.Row row : count.rows()) {
      int rowLayer = layerOf(row.name());
      if (layer >= 0 && rowLayer != layer && (every || layer == 0)) {
        out.printf(Locale.ROOT, "%-58s %,18d%n", "  h" + layer + " total", count.layer(layer));
        if (!every && c.nLayer() > 1) {
          out.printf(Locale.ROOT, "%-58s %,18d%n", "  × " + c.nLayer() + " layers (h0 to h" + (c.nLayer() - 1)
              + ", alike; --all lists each)", count.layer(0) * c.nLayer());
        }
      }
      layer = rowLayer;
      if (!every && rowLayer > 0) {
        continue;
      }
      out.printf(Locale.ROOT, format, row.name(), ParamsDocument.describe(row.name()), Arrays.toString(row.shape()), row.count());
    }
    if (c.positionalEncoding() == PositionalEncoding.SINUSOIDAL) {
      out.printf(Locale.ROOT, "%-20s %-20s %-16s %18s%n", Names.WPE, "sinusoids (fixed)",
          Arrays.toString(new long[] {c.blockSize(), c.nEmbd()}), "0");
    }
    if (c.tieEmbeddings()) {
      out.printf(Locale.ROOT, "%-20s %-20s %-16s %18s%n", "lm_head", "tied: wteᵀ", "-", "0");
    }
    long total = count.total();
    out.printf(Locale.ROOT, "%-58s %,18d%n", "total", total);
    out.println();
    Map<String, Long> groups = ParamsDocument.groups(count);
    for (Map.Entry<String, Long> g : groups.entrySet()) {
      out.printf(Locale.ROOT, "%-12s %,18d  %5.1f%%%n", g.getKey(), g.getValue(), 100.0 * g.getValue() / total);
    }
    out.printf(Locale.ROOT, "per layer    %,18d  (attention %,d = %.1f%%, MLP %,d = %.1f%% of a layer)%n",
        count.layer(0), count.totalUnder(Names.attn(0) + "/"),
        100.0 * count.totalUnder(Names.attn(0) + "/") / count.layer(0),
        count.totalUnder(Names.mlp(0) + "/"), 100.0 * count.totalUnder(Names.mlp(0) + "/") / count.layer(0));
    out.printf(Locale.ROOT, "attention vs MLP: %.1f%% vs %.1f%% of all parameters%n",
        100 * count.attentionShare(), 100 * count.mlpShare());
  }

  private static int layerOf(String name) {
    if (!name.startsWith("h") || !name.contains("/")) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(1, name.indexOf('/')));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
