package minitransformer.training.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import minitransformer.framework.generate.SamplingOptions;
import minitransformer.training.TrainedModel;
import minitransformer.training.report.Json;
import minitransformer.training.report.NextTokenReport;
import minitransformer.training.report.Prompt;
import minitransformer.training.viz.TokenText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code predict}: the most likely next tokens after a prompt, with the model's probabilities. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "The most likely next tokens after a prompt.",
      "Given the text so far, which token comes next and how sure is the model? Prints the N most likely next"
          + " tokens, best first (ties: lower id first), with probability and natural-log probability under the"
          + " model (temperature 1, no filtering); with --temperature, --top-k or --top-p also the probability"
          + " sample would draw it with under those settings.",
      PromptOptions.HELP
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "2:bad input: option value, prompt or checkpoint"})
public final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions model;

  @Mixin PromptOptions prompt;

  @Option(names = "--top", paramLabel = "N", defaultValue = "10",
      description = "How many tokens to list (at most the vocabulary size; default ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--json", description = "Print JSON instead of a table; each token with its text (a BPE token's bytes that are not a whole character as <0xE2>) and its UTF-8 bytes.")
  boolean json;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "1",
      description = "Also show each token's probability as sample would draw it at this temperature"
          + " (0 = greedy; default ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
      description = "... after keeping only the K most likely tokens (0 = off; default ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
      description = "... and the smallest set reaching probability P, in (0, 1] (1 = off; default ${DEFAULT-VALUE}).")
  double topP;

  @Override
  public Integer call() throws Exception {
    CommandLine cli = spec.commandLine();
    PrintWriter out = cli.getOut();
    if (top <= 0) {
      throw new BadOptionException("--top (" + top + ") must be positive");
    }
    SamplingOptions draw = drawOptions(temperature, topK, topP);
    TrainedModel m = model.load(cli.getErr());
    Prompt encoded = prompt.encode(m, cli.getErr());
    int vocabulary = m.config().vocabSize();
    if (top > vocabulary) {
      cli.getErr().printf(Locale.ROOT, "note: --top %d is more than the vocabulary's %d tokens; listing all %d%n", top,
          vocabulary, vocabulary);
    }
    ObjectNode report = NextTokenReport.of(m, encoded, top, draw);
    if (json) {
      out.println(Json.MAPPER.writeValueAsString(report));
    } else {
      out.printf(Locale.ROOT, "next token after %d prompt tokens (model reads the last %d), %s step %d%n",
          encoded.tokens(), encoded.context().length, m.directory(), m.step());
      boolean filtered = temperature != 1.0 || topK != 0 || topP != 1.0;
      if (filtered) {
        out.printf(Locale.ROOT, "draw p: the probability sample draws it with at temperature %s, top-k %d, top-p %s%n",
            temperature, topK, topP);
      }
      out.printf(Locale.ROOT, "%4s  %-16s %6s  %11s  %9s%s%n", "rank", "token", "id", "probability", "log p",
          filtered ? "     draw p" : "");
      for (JsonNode p : report.get("predictions")) {
        out.printf(Locale.ROOT, "%4d  %-16s %6d  %11.6f  %9.4f%s%n", p.get("rank").asInt(),
            TokenText.display(p.get("token").asText()), p.get("id").asInt(), p.get("probability").asDouble(),
            p.get("log_probability").asDouble(),
            filtered ? String.format(Locale.ROOT, "  %9.6f", p.get("sampling_probability").asDouble()) : "");
      }
    }
    out.flush();
    return 0;
  }

  /** Sampling options from predict's values; a bad value is a one-line error naming the option. */
  public static SamplingOptions drawOptions(double temperature, int topK, double topP) {
    return drawOptions(temperature, topK, topP, 0);
  }

  /**
   * Sampling options from command-line values, checked by {@link SamplingOptions} itself; a bad value
   * is a one-line error naming the option ({@code top_k} becomes {@code --top-k}).
   */
  static SamplingOptions drawOptions(double temperature, int topK, double topP, long seed) {
    try {
      return new SamplingOptions(temperature, topK, topP, seed);
    } catch (IllegalArgumentException e) {
      throw new BadOptionException("--" + e.getMessage().replace('_', '-'));
    }
  }
}
