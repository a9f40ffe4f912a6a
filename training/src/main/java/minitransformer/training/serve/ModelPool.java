package minitransformer.training.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import minitransformer.framework.exec.Sessions;
import minitransformer.training.TrainedModel;
import minitransformer.training.concurrent.DaemonThreads;

/**
 * The server's models: {@code workers} graphs of the loaded model, each run by its own thread.
 *
 * <p>A SameDiff graph is not safe to run from two threads at once, and it keeps one inference session
 * (with its arrays) per thread that ever called it. So a request hands its model calls to a free graph's
 * thread and waits: calls to one graph never overlap. One graph serialises every model call; more
 * graphs run that many at once. They are replicas ({@code GPT.replica()}) bound to the loaded model's
 * weight arrays themselves, which the server only reads: the weights are in memory once, however many
 * workers; one is the default.
 *
 * <p>Memory, two leaks. A SameDiff M2.1 session grows with every output call (its freedArrays set gains
 * the id of every array the call releases and never loses one: under predict load the live heap grew
 * from 48 MB to 95 MB in 30 s, about 10,000 LinkedHashMap entries with Long keys a second), and it
 * keeps the last call's arrays and a cache of released ones. So every {@link #RELEASE_EVERY} calls of a
 * graph its sessions are released ({@link Sessions}) and the next call builds a fresh one
 * (framework/docs/samediff-m2.1.md, "Sessions"). Not after every call: a session reuses its cached
 * arrays and op contexts from one call to the next. And ND4J frees an array's native buffer only when
 * the Java garbage collector collects its wrapper, while the heap alone rarely looks full enough to
 * collect: the arrays a call hands out (outputs, feeds) and the Java garbage of the requests pile up.
 * So every {@link #GC_EVERY} model calls in all, a collection is requested. Without it, when nothing
 * else collects, resident memory climbed under ServeLoadTest's load (357 to 447 MiB in 30 s, heap in
 * use 60 to 102 MB) where with it it stayed at 324-358 MiB.
 */
final class ModelPool implements AutoCloseable {
  /** Model calls of one graph between two releases of its sessions. */
  static final int RELEASE_EVERY = 50;
  /** Model calls, of all graphs together, between two requested garbage collections. */
  static final int GC_EVERY = 50;

  private record Copy(TrainedModel model, ExecutorService thread, AtomicInteger calls) {}

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
        m = new TrainedModel(
            loaded.directory(), loaded.step(), loaded.gpt().replica(), loaded.tokenizer(), loaded.config());
      }
      String name = "model-" + i;
      Copy c = new Copy(m, DaemonThreads.single(name), new AtomicInteger());
      all.add(c);
      idle.add(c);
    }
  }

  /** The model's description (directory, step, tokenizer, config); not for running the graph. */
  TrainedModel model() {
    return primary;
  }

  /** Runs work on the thread of a model graph nobody else is using, waiting for one if all are busy. */
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
        if (c.calls().incrementAndGet() % RELEASE_EVERY == 0) {
          Sessions.release(c.model().gpt().sameDiff()); // the session grows with every call (class comment)
        }
        if (calls.incrementAndGet() % GC_EVERY == 0) {
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
