package minitransformer.training;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import minitransformer.datasets.DataException;
import minitransformer.datasets.Tokenizer;
import minitransformer.framework.GPT;
import minitransformer.framework.generate.CachedSampler;
import minitransformer.framework.generate.JavaKvCache;
import minitransformer.framework.generate.Prediction;
import minitransformer.framework.generate.Sampler;
import minitransformer.framework.generate.SamplingOptions;
import minitransformer.training.config.RunSection;
import minitransformer.training.viz.TokenText;

/** What a finished run shows: a short sample from the run's prompt and the top next-token predictions. */
public final class AfterTraining {
  private AfterTraining() {}

  /** Prints the sample and the predictions of the run section's prompts. */
  public static void show(GPT model, Tokenizer tokenizer, RunSection run, long seed, PrintWriter out) {
    Sampler sampler = new Sampler(model);
    if (run.sampleTokens() > 0) {
      sample(new CachedSampler(model, new JavaKvCache(model)), tokenizer, run, seed, out);
    }
    out.println("top " + run.predictions() + " next-token predictions:");
    for (String prompt : run.predictionPrompts()) {
      if (prompt.isEmpty()) {
        continue;
      }
      int[] context;
      try {
        context = tokenizer.encode(prompt);
      } catch (DataException e) {
        out.println("  \"" + prompt + "\": cannot be encoded (" + e.getMessage() + ")");
        continue;
      }
      out.println("  " + quoted(prompt) + " -> " + describe(sampler.predictNext(context, run.predictions()), tokenizer));
    }
    out.flush();
  }

  /** Exact sliding (refill = block_size): the same text as the uncached {@link Sampler}, token for token. */
  private static void sample(CachedSampler sampler, Tokenizer tokenizer, RunSection run, long seed, PrintWriter out) {
    int[] prompt;
    try {
      prompt = run.prompt().isEmpty() ? startToken(tokenizer) : tokenizer.encode(run.prompt());
    } catch (DataException e) {
      out.println("sample: the prompt cannot be encoded (" + e.getMessage() + ")");
      return;
    }
    SamplingOptions options = new SamplingOptions(run.temperature(), run.topK(), 1.0, seed);
    int[] generated = sampler.generate(prompt, run.sampleTokens(), options, id -> {});
    int[] all = new int[prompt.length + generated.length];
    System.arraycopy(prompt, 0, all, 0, prompt.length);
    System.arraycopy(generated, 0, all, prompt.length, generated.length);
    out.printf(
        Locale.ROOT,
        "sample (%d tokens, temperature %s, top_k %d, seed %d):%n",
        run.sampleTokens(), run.temperature(), run.topK(), seed);
    String text = tokenizer.decode(all);
    if (run.prompt().isEmpty() && text.startsWith("\n")) {
      text = text.substring(1);
    }
    text.lines().forEach(line -> out.println("  " + line));
  }

  /** A line break when the vocabulary has one (nanoGPT starts unprompted samples there), else token 0. */
  private static int[] startToken(Tokenizer tokenizer) {
    OptionalInt newline = tokenizer.id("\n");
    return new int[] {newline.orElse(0)};
  }

  static String describe(List<Prediction> predictions, Tokenizer tokenizer) {
    return predictions.stream()
        .map(p -> String.format(Locale.ROOT, "%s %.3f", TokenText.display(tokenizer.token(p.id())), p.probability()))
        .collect(Collectors.joining(", "));
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\n", "\\n") + "\"";
  }
}
