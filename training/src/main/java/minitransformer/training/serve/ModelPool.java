package minitransformer.training.serve;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;
import minitransformer.framework.GPT;
import minitransformer.training.cli.ModelOptions.LoadedModel;

/**
 * The server's models: {@code workers} copies of the loaded model, each used by one request at a time.
 * A SameDiff graph keeps per-call session state and is not safe to run from two threads at once, so a
 * request borrows a whole copy (its own graph with its own arrays holding the same weights), runs its
 * model calls, and gives it back. One copy serialises every model call; more copies let that many run
 * in parallel at the cost of the weights' memory each.
 *
 * <p>Memory: ND4J frees an array's native buffer only when the Java garbage collector collects its
 * wrapper, and the heap alone rarely looks full enough to collect, so a busy server's resident memory
 * climbs (a 30 s load test: 398 MB to 643 MB). As the training loop does, every {@link #GC_EVERY}
 * model calls ask for a collection, which keeps it flat.
 */
final class ModelPool {
  /** Model calls between two requested garbage collections. */
  static final int GC_EVERY = 50;

  private final LoadedModel primary;
  private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
  private final BlockingQueue<LoadedModel> idle;

  ModelPool(LoadedModel loaded, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers (" + workers + ") must be >= 1");
    }
    this.primary = loaded;
    this.idle = new ArrayBlockingQueue<>(workers);
    idle.add(loaded);
    for (int i = 1; i < workers; i++) {
      GPT copy = GPT.create(loaded.config(), 0);
      copy.loadParameters(loaded.gpt().parameters());
      idle.add(new LoadedModel(loaded.directory(), loaded.step(), copy, loaded.tokenizer(), loaded.config()));
    }
  }

  /** The model's description (directory, step, tokenizer, config); not for running the graph. */
  LoadedModel model() {
    return primary;
  }

  /** Runs work with a model copy nobody else is using, waiting for one if all are busy. */
  <T> T with(Function<LoadedModel, T> work) {
    LoadedModel m;
    try {
      m = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server is shutting down");
    }
    try {
      return work.apply(m);
    } finally {
      idle.add(m);
      if (calls.incrementAndGet() % GC_EVERY == 0) {
        System.gc(); // frees the native buffers of collected ND4J arrays (see the class comment)
      }
    }
  }
}
