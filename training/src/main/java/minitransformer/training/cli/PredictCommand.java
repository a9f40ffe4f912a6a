package minitransformer.training.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import minitransformer.framework.generate.Prediction;
import minitransformer.framework.generate.Sampler;
import minitransformer.training.TrainedModel;
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
      "Given the text so far, which token comes next and how sure is the model? Prints the N most likely next"
          + " tokens, best first (ties: lower id first), with probability and natural-log probability under the"
          + " model (temperature 1, no filtering).",
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

  @Override
  public Integer call() throws Exception {
    CommandLine cli = spec.commandLine();
    PrintWriter out = cli.getOut();
    if (top <= 0) {
      throw new BadOptionException("--top (" + top + ") must be positive");
    }
    TrainedModel m = model.load(cli.getErr());
    PromptOptions.Encoded encoded = prompt.encode(m.tokenizer(), m.config().blockSize(), cli.getErr());
    int[] ids = encoded.ids();
    int contextTokens = encoded.context().length;
    List<Prediction> best = new Sampler(m.gpt()).predictNext(encoded.context(), Math.min(top, m.config().vocabSize()));
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode root = mapper.createObjectNode();
      root.put("checkpoint", m.directory().toString());
      root.put("step", m.step());
      root.put("prompt_tokens", ids.length);
      root.put("context_tokens", contextTokens);
      ArrayNode list = root.putArray("predictions");
      int rank = 1;
      for (Prediction p : best) {
        ObjectNode entry = list.addObject()
            .put("rank", rank++)
            .put("id", p.id())
            .put("token", m.tokenizer().token(p.id()));
        ArrayNode bytes = entry.putArray("bytes"); // the UTF-8 bytes the token stands for, 0..255
        for (byte b : m.tokenizer().tokenBytes(p.id())) {
          bytes.add(b & 0xFF);
        }
        entry.put("probability", p.probability())
            .put("log_probability", p.logProbability());
      }
      out.println(mapper.writeValueAsString(root));
    } else {
      out.printf(Locale.ROOT, "next token after %d prompt tokens (model reads the last %d), %s step %d%n",
          ids.length, contextTokens, m.directory(), m.step());
      out.printf(Locale.ROOT, "%4s  %-16s %6s  %11s  %9s%n", "rank", "token", "id", "probability", "log p");
      int rank = 1;
      for (Prediction p : best) {
        out.printf(Locale.ROOT, "%4d  %-16s %6d  %11.6f  %9.4f%n", rank++, TokenText.display(m.tokenizer().token(p.id())),
            p.id(), p.probability(), p.logProbability());
      }
    }
    out.flush();
    return 0;
  }
}
