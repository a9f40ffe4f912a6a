package minitransformer.training.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import minitransformer.datasets.StreamingDecoder;
import minitransformer.datasets.Tokenizer;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.generate.CachedSampler;
import minitransformer.framework.generate.JavaKvCache;
import minitransformer.framework.generate.Sampler;
import minitransformer.framework.generate.SamplingOptions;
import minitransformer.training.TrainedModel;
import minitransformer.training.report.EndOfText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sample}: continue a prompt, streaming each token to the terminal as it is chosen. */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = {
      "Continue a prompt with a trained model.",
      "Each token is printed as soon as it is chosen.",
      "Filters, in order: temperature, top-k, top-p; ties go to the lower token id, so the same seed gives"
          + " the same text.",
      "KV cache (default): the prompt is read in one forward pass, then each token costs one cached step."
          + " When the context fills the block, the window slides and the cache is re-filled with one forward"
          + " pass over the last --refill tokens (default: half the block), after which block_size - refill"
          + " tokens are cheap steps again; tokens then see between refill and block_size tokens of context."
          + " --refill block_size is exact, the text equals --no-cache's token for token, but then every token"
          + " past the block costs a full forward pass.",
      "End of text: with GPT-2's tokenizer the sample ends when <|endoftext|> (50256) is drawn, unless --no-stop;"
          + " <|endoftext|> written in a prompt is read as that one token, as nanoGPT's sample.py reads it.",
      PromptOptions.HELP
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "2:bad input: option value, prompt or checkpoint"})
public final class SampleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions model;

  @Mixin PromptOptions prompt;

  @Option(names = "--tokens", paramLabel = "N", defaultValue = "300", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
      description = "Divides the logits; 0 = greedy, the same text for every seed (default ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
      description = "Keep only the K most likely tokens; 0 = off (default ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95",
      description = "Keep the smallest set of most likely tokens whose probability reaches P, in (0, 1];"
          + " 1 = off (default ${DEFAULT-VALUE}).")
  double topP;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1337", description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--num-samples", paramLabel = "M", defaultValue = "1",
      description = "Independent samples; sample i uses seed S + i (default ${DEFAULT-VALUE}).")
  int numSamples;

  @Option(names = "--no-cache", description = "No KV cache: one full forward pass over the context per token.")
  boolean noCache;

  @Option(names = "--no-stop", description = "Go on past an end-of-text token (GPT-2's <|endoftext|>, 50256),"
      + " printing it as its text; by default the sample ends there, without printing it, and says so on stderr.")
  boolean noStop;

  @Option(names = "--refill", paramLabel = "R",
      description = "Tokens re-read when the cache is full, 1..block_size (default: block_size / 2;"
          + " block_size: exact, as --no-cache).")
  Integer refill;

  @Override
  public Integer call() {
    CommandLine cli = spec.commandLine();
    PrintWriter out = cli.getOut();
    PrintWriter err = cli.getErr();
    if (tokens <= 0) {
      throw new BadOptionException("--tokens (" + tokens + ") must be positive");
    }
    if (numSamples <= 0) {
      throw new BadOptionException("--num-samples (" + numSamples + ") must be positive");
    }
    SamplingOptions options = options(seed);
    // With the KV cache the weights are moved into the cache and no graph is built (a GPT-2 small is held
    // once); without it, or for a sinusoidal table (the graph's), the model is loaded with its graph.
    Optional<TrainedModel.ForSampling> cached = noCache ? Optional.empty() : model.loadForSampling(err);
    TrainedModel m = cached.isPresent() ? null : model.load(err);
    GPTConfig config = cached.map(TrainedModel.ForSampling::config).orElseGet(() -> m.config());
    Tokenizer tokenizer = cached.map(TrainedModel.ForSampling::tokenizer).orElseGet(() -> m.tokenizer());
    int block = config.blockSize();
    int refillTokens = refill == null ? CachedSampler.defaultRefill(block) : refill;
    if (refillTokens < 1 || refillTokens > block) {
      throw new BadOptionException("--refill (" + refillTokens + ") must be in [1, block_size = "
          + block + "]");
    }
    // The whole prompt is printed, read again in one pass; the samplers read its last block_size tokens
    // (the prompt policy, report.Prompt), which is all that is kept of it.
    int[] ids = prompt.encode(tokenizer, block, err).context();
    OptionalInt stop = EndOfText.stopToken(tokenizer, !noStop);
    for (int s = 0; s < numSamples; s++) {
      if (numSamples > 1) {
        out.printf(Locale.ROOT, "%s--- sample %d of %d (seed %d) ---%n", s == 0 ? "" : "\n", s + 1, numSamples,
            seed + s);
      }
      SamplingOptions sampleOptions = options(seed + s);
      Stream stream = new Stream(out, tokenizer, stop);
      prompt.forEachId(tokenizer, stream::echo);
      out.flush();
      int[] generated;
      if (cached.isPresent()) {
        generated = new CachedSampler(config, cached.get().cache(), refillTokens)
            .generate(ids, tokens, sampleOptions, stop, stream::accept);
      } else if (noCache) {
        generated = new Sampler(m.gpt()).generate(ids, tokens, sampleOptions, stop, stream::accept);
      } else {
        generated = new CachedSampler(m.gpt(), new JavaKvCache(m.gpt()), refillTokens)
            .generate(ids, tokens, sampleOptions, stop, stream::accept);
      }
      stream.finish();
      out.println();
      out.flush();
      if (EndOfText.stopped(generated, stop)) {
        err.println(EndOfText.note(tokenizer, stop.getAsInt(), generated.length, tokens));
        err.flush();
      }
    }
    return 0;
  }

  private SamplingOptions options(long s) {
    return PredictCommand.drawOptions(temperature, topK, topP, s);
  }

  /**
   * Prints the prompt, then each new token as it comes, through the tokenizer's streaming decoder:
   * a word tokenizer's spacing (which depends on the neighbours) comes out right, and a BPE token that
   * ends inside a character is held back until the character is complete.
   */
  private static final class Stream {
    private final PrintWriter out;
    private final StreamingDecoder decoder;
    private final OptionalInt stop;

    Stream(PrintWriter out, Tokenizer tokenizer, OptionalInt stop) {
      this.out = out;
      this.decoder = tokenizer.streamingDecoder();
      this.stop = stop;
    }

    /** A prompt token, printed without a flush each. */
    void echo(int id) {
      out.print(decoder.push(id));
    }

    /** A generated token; the stop token ends the text and is not printed (EndOfText). */
    void accept(int id) {
      if (stop.isPresent() && id == stop.getAsInt()) {
        return;
      }
      out.print(decoder.push(id));
      out.flush();
    }

    void finish() {
      out.print(decoder.finish());
    }
  }
}
