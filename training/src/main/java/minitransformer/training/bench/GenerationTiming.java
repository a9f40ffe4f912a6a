package minitransformer.training.bench;

import java.util.function.Consumer;
import minitransformer.framework.GPT;
import minitransformer.framework.generate.CachedSampler;
import minitransformer.framework.generate.JavaKvCache;
import minitransformer.framework.generate.Sampler;
import minitransformer.framework.generate.SamplingOptions;

/**
 * How fast a model generates, by the three ways {@code sample} can run past the block: a full
 * forward pass per token ({@code --no-cache}), the KV cache sliding exactly ({@code --refill
 * block_size}, the same text as no cache, but a full pass per token once the block is full) and the
 * KV cache re-filling half the block when it is full (the default). Each path generates the same
 * number of tokens from a one-token prompt, after a short untimed warm-up.
 */
final class GenerationTiming {
  private GenerationTiming() {}

  /** Tokens per second of each path; NaN everywhere when tokens is 0. */
  static BenchResult.Sampling measure(GPT model, int tokens, String name, Consumer<String> progress) {
    if (tokens == 0) {
      return new BenchResult.Sampling(0, Double.NaN, Double.NaN, Double.NaN);
    }
    int block = model.config().blockSize();
    progress.accept(name + ": sampling " + tokens + " tokens, full-context forward per token");
    double fullForward = tokensPerSecond(new Sampler(model)::generate, tokens);
    progress.accept(name + ": sampling " + tokens + " tokens through the KV cache, exact slide");
    double exactSlide = tokensPerSecond(new CachedSampler(model, new JavaKvCache(model), block)::generate, tokens);
    progress.accept(name + ": sampling " + tokens + " tokens through the KV cache, re-filling half the block");
    double refill = tokensPerSecond(
        new CachedSampler(model, new JavaKvCache(model), CachedSampler.defaultRefill(block))::generate, tokens);
    return new BenchResult.Sampling(tokens, fullForward, exactSlide, refill);
  }

  /** The signature {@link Sampler} and {@link CachedSampler} share. */
  private interface Generator {
    int[] generate(int[] prompt, int n, SamplingOptions options, java.util.function.IntConsumer onToken);
  }

  private static double tokensPerSecond(Generator generator, int tokens) {
    SamplingOptions options = new SamplingOptions(1.0, 0, 1.0, 1);
    int[] prompt = {0};
    generator.generate(prompt, Math.min(4, tokens), options, id -> {});
    long start = System.nanoTime();
    generator.generate(prompt, tokens, options, id -> {});
    return tokens / ((System.nanoTime() - start) / 1e9);
  }
}
