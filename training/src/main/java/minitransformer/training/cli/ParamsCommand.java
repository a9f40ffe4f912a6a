package minitransformer.training.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.TrainingRun;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.ModelConfigJson;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.ModelArchitecture;
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
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    GPTConfig config = source.config != null ? fromConfig(source.config) : fromCheckpoint(source.checkpoint);
    ParameterCount count = ParameterCount.of(config);
    if (json) {
      out.println(json(config, count));
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
    Config config = ConfigLoader.load(file, List.of());
    int vocabSize = TrainingRun.loadCorpus(config).tokenizer().vocabSize();
    return config.model().toGptConfig(vocabSize);
  }

  private GPTConfig fromCheckpoint(Path checkpoint) {
    PrintWriter err = spec.commandLine().getErr();
    Path dir = ModelOptions.resolve(checkpoint, err);
    TrainingState state = CheckpointStore.load(dir, w -> err.println("warning: " + w));
    return state.model();
  }

  /** What a named parameter is, in the words of the equations. */
  static String describe(String name) {
    String leaf = name.substring(name.lastIndexOf('/') + 1);
    if (name.equals(Names.WTE)) return "token embedding";
    if (name.equals(Names.WPE)) return "position embedding";
    if (name.equals(Names.LM_HEAD_W)) return "LM head";
    String norm = name.contains("/ln_1/") ? "ln_1 " : name.contains("/ln_2/") ? "ln_2 " : name.startsWith(Names.LN_F) ? "ln_f " : "";
    return switch (leaf) {
      case "gamma" -> norm + "scale γ";
      case "beta" -> norm + "shift β";
      case "W_Q" -> "query W_Q";
      case "W_K" -> "key W_K";
      case "W_V" -> "value W_V";
      case "W_O" -> "output W_O";
      case "b_Q", "b_K", "b_V", "b_O" -> leaf.charAt(2) == 'O' ? "output bias" : leaf.substring(2).toLowerCase(Locale.ROOT) + " bias";
      case "W_fc" -> "MLP up, C -> hidden";
      case "b_fc" -> "MLP up bias";
      case "W_proj" -> "MLP down, hidden -> C";
      case "b_proj" -> "MLP down bias";
      case "W_gate" -> "SwiGLU gate, C -> hidden";
      case "W_up" -> "SwiGLU up, C -> hidden";
      case "W_down" -> "SwiGLU down, hidden -> C";
      case "b_gate", "b_up", "b_down" -> "SwiGLU " + leaf.substring(2) + " bias";
      default -> "";
    };
  }

  /** embedding, attention, mlp, layernorm or lm_head. */
  static String group(String name) {
    if (name.equals(Names.WTE) || name.equals(Names.WPE)) return "embedding";
    if (name.contains("/attn/")) return "attention";
    if (name.contains("/mlp/")) return "mlp";
    if (name.endsWith("/gamma") || name.endsWith("/beta")) return "layernorm"; // RMSNorm's γ too
    return "lm_head";
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
      out.printf(Locale.ROOT, format, row.name(), describe(row.name()), Arrays.toString(row.shape()), row.count());
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
    Map<String, Long> groups = groups(count);
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

  private static Map<String, Long> groups(ParameterCount count) {
    Map<String, Long> groups = new LinkedHashMap<>();
    for (String g : List.of("embedding", "attention", "mlp", "layernorm", "lm_head")) {
      groups.put(g, 0L);
    }
    for (ParameterCount.Row row : count.rows()) {
      groups.merge(group(row.name()), row.count(), Long::sum);
    }
    return groups;
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

  private static String json(GPTConfig c, ParameterCount count) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document(c, count));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** What {@code params --json} prints, the model card of the server shows it too: config, matrices, totals. */
  public static Map<String, Object> document(GPTConfig c, ParameterCount count) {
    Map<String, Object> doc = new LinkedHashMap<>();
    ObjectNode model = JsonNodeFactory.instance.objectNode();
    ModelConfigJson.write(c, model); // the architecture's one JSON form, as in meta.json and model_config.json
    doc.put("model", model);
    List<Map<String, Object>> matrices = new ArrayList<>();
    for (ParameterCount.Row row : count.rows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", row.name());
      m.put("what", describe(row.name()));
      m.put("group", group(row.name()));
      m.put("shape", row.shape());
      m.put("count", row.count());
      matrices.add(m);
    }
    doc.put("matrices", matrices);
    List<Long> layers = new ArrayList<>();
    for (int i = 0; i < c.nLayer(); i++) {
      layers.add(count.layer(i));
    }
    doc.put("layers", layers);
    doc.put("groups", groups(count));
    doc.put("total", count.total());
    doc.put("attention", count.attention());
    doc.put("mlp", count.mlp());
    doc.put("attention_share", count.attentionShare());
    doc.put("mlp_share", count.mlpShare());
    return doc;
  }
}
