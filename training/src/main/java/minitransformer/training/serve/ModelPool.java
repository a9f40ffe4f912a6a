package minitransformer.training.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import minitransformer.framework.GPT;
import minitransformer.training.TrainedModel;
import minitransformer.training.concurrent.DaemonThreads;

/**
 * The server's models: {@code workers} copies of the loaded model, each run by its own thread.
 *
 * <p>A SameDiff graph is not safe to run from two threads at once, and it keeps one inference session
 * (with its arrays) per thread that ever called it. So a request hands its model calls to a free copy's
 * thread and waits: calls to one copy never overlap, and each copy holds one session however many
 * request threads the server has. One copy serialises every model call; more copies (each its own
 * graph with its own arrays holding the same weights) run that many at once at the cost of the weights'
 * memory each; one is the default.
 *
 * <p>Memory, two leaks. ND4J frees an array's native buffer only when the Java garbage collector
 * collects its wrapper, and the heap alone rarely looks full enough to collect, so a busy server's
 * resident memory climbs (the load test: 398 MB to 643 MB in 30 s). And a SameDiff inference session
 * keeps something per output call: under predict requests alone the heap still in use after a full
 * collection grew from 48 MB to 95 MB in 30 s, as java.util.LinkedHashMap entries with Long keys
 * (about 10,000 a second). So every {@link #GC_EVERY} model calls the copy's sessions are dropped (the
 * next call builds a fresh one, as {@code GPT} does for its gradient function) and a collection is
 * requested.
 */
final class ModelPool implements AutoCloseable {
  /** Model calls between two requested garbage collections. */
  static final int GC_EVERY = 50;

  private record Copy(TrainedModel model, ExecutorService thread) {}

  private final TrainedModel primary;
  private final BlockingQueue<Copy> idle;
  private final List<Copy> all = new ArrayList<>();
  private final AtomicLong calls = new AtomicLong();

  ModelPool(TrainedModel loaded, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers (" + workers + ") must be >= 1");
    }
    this.primary = loaded;
    this.idle = new ArrayBlockingQueue<>(workers);
    for (int i = 0; i < workers; i++) {
      TrainedModel m = loaded;
      if (i > 0) {
        GPT copy = GPT.create(loaded.config(), 0);
        copy.loadParameters(loaded.gpt().parameters());
        m = new TrainedModel(loaded.directory(), loaded.step(), copy, loaded.tokenizer(), loaded.config());
      }
      String name = "model-" + i;
      Copy c = new Copy(m, DaemonThreads.single(name));
      all.add(c);
      idle.add(c);
    }
  }

  /** The model's description (directory, step, tokenizer, config); not for running the graph. */
  TrainedModel model() {
    return primary;
  }

  /** Runs work on the thread of a model copy nobody else is using, waiting for one if all are busy. */
  <T> T with(Function<TrainedModel, T> work) {
    Copy c;
    try {
      c = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server is shutting down");
    }
    try {
      return c.thread().submit(() -> {
        T result = work.apply(c.model());
        if (calls.incrementAndGet() % GC_EVERY == 0) {
          c.model().gpt().sameDiff().getSessions().clear(); // a fresh session: the old one grows (class comment)
          System.gc(); // frees the native buffers of collected ND4J arrays (class comment)
        }
        return result;
      }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server is shutting down");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      idle.add(c);
    }
  }

  /** Stops the model threads. */
  @Override
  public void close() {
    for (Copy c : all) {
      c.thread().shutdownNow();
    }
  }
}
