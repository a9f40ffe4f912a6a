package minitransformer.framework.generate;

import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.IntConsumer;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;

/**
 * {@link Sampler}'s generation through a {@link KvCache}: the prompt (its last block_size tokens) is
 * read in one batched forward pass, then each new token costs one cached step.
 *
 * <p><b>When the block is full.</b> With rope or no positions the cache slides by itself
 * ({@link KvCache#slides()}) and {@code refill} is not used: every token costs one cached step and
 * attends to the last block_size positions at every layer. That is sliding-window attention
 * (Mistral's rolling buffer), not the full forward pass on the last block_size tokens: from layer 1
 * on, the cached keys of the window's tokens were computed while older tokens were still in view, so
 * past the block the text can differ from {@link Sampler}'s (for a one-layer model it is the same,
 * KvCacheOptionsTest). With a learned or sinusoidal table positions are absolute, so sliding the window changes every
 * token's position and invalidates every cached key and value. The cache is then re-filled with one
 * batched forward pass over the last {@code refill} tokens (the new one included):
 * <ul>
 *   <li>{@code refill = block_size} (exact): every token sees exactly the last block_size tokens, so
 *       the text equals {@link Sampler}'s token for token (same seed, same text), but once the block
 *       is full every token costs a full forward pass, as without a cache;</li>
 *   <li>{@code refill < block_size}: after a re-fill the next block_size - refill tokens are cheap
 *       steps again; every token then sees between refill and block_size tokens of context (each
 *       logit is still exactly the model's for the context it sees), so the text can differ from the
 *       uncached one. {@link #defaultRefill} keeps half the block, as llama.cpp's context shift
 *       keeps half of its context.</li>
 * </ul>
 * Tokens are drawn exactly as {@link Sampler} draws them (same filters, same random stream).
 */
public final class CachedSampler {
  private final KvCache cache;
  private final int blockSize;
  private final int refill;

  /** Exact sliding: refill = block_size. */
  public CachedSampler(GPT model, KvCache cache) {
    this(model, cache, model.config().blockSize());
  }

  /**
   * The refill the {@code sample} command uses unless told otherwise: half the block (at least 1),
   * so a re-fill, one batched forward pass over block_size/2 tokens, comes once per block_size/2
   * generated tokens and every token sees at least half a block of context.
   */
  public static int defaultRefill(int blockSize) {
    return Math.max(1, blockSize / 2);
  }

  public CachedSampler(GPT model, KvCache cache, int refill) {
    this(model.config(), cache, refill);
  }

  /** As {@link #CachedSampler(GPT, KvCache, int)} for a cache that holds the model's weights itself. */
  public CachedSampler(GPTConfig config, KvCache cache, int refill) {
    this.cache = cache;
    this.blockSize = config.blockSize();
    if (refill < 1 || refill > blockSize) {
      throw new IllegalArgumentException(
          "refill (" + refill + ") must be in [1, block_size = " + blockSize + "]");
    }
    this.refill = refill;
  }

  /**
   * Generates n tokens after the prompt, passing each to onToken as soon as it is chosen.
   *
   * @return the n new tokens (without the prompt)
   */
  public int[] generate(int[] prompt, int n, SamplingOptions options, IntConsumer onToken) {
    return generate(prompt, n, options, OptionalInt.empty(), onToken);
  }

  /** As {@link Sampler#generate(int[], int, SamplingOptions, OptionalInt, IntConsumer)}: ends after stop. */
  public int[] generate(int[] prompt, int n, SamplingOptions options, OptionalInt stop, IntConsumer onToken) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt must hold at least one token");
    }
    Random random = new Random(options.seed());
    int[] context = Arrays.copyOf(prompt, prompt.length + n);
    int length = prompt.length;
    int[] generated = new int[n];
    double[] logits = cache.prefill(tail(context, length, blockSize));
    for (int i = 0; i < n; i++) {
      int next = Sampler.choose(logits, options, random);
      generated[i] = next;
      context[length++] = next;
      onToken.accept(next);
      if (stop.isPresent() && next == stop.getAsInt()) {
        return Arrays.copyOf(generated, i + 1);
      }
      if (i == n - 1) {
        break; // no logits needed after the last token
      }
      logits = cache.length() < blockSize || cache.slides()
          ? cache.append(next) // rope or none: a full cache slides by one cached step
          : cache.prefill(tail(context, length, refill)); // slide: re-fill with the last refill tokens
    }
    return generated;
  }

  private static int[] tail(int[] context, int length, int n) {
    return Arrays.copyOfRange(context, Math.max(0, length - n), length);
  }
}
