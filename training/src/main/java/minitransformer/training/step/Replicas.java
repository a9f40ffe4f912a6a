package minitransformer.training.step;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import minitransformer.framework.GPT;
import minitransformer.training.concurrent.DaemonThreads;

/**
 * Data parallelism inside the process: {@code count} graphs of one model, all bound to the same
 * parameter arrays ({@link GPT#replica}), graph 0 run by the calling thread and graph k by a thread
 * of its own. Each pass runs on one thread (the native libraries are set to one thread each), so two
 * graphs use two cores where one pass could use only one.
 *
 * <p>Results do not depend on timing: {@link #map} returns them in task order, and every caller
 * combines them in that order, so a run is reproducible for a given seed and worker count.
 */
public final class Replicas implements AutoCloseable {
  private final List<GPT> graphs;
  private final List<ExecutorService> threads = new ArrayList<>(); // threads.get(k - 1) runs graph k

  private Replicas(List<GPT> graphs) {
    this.graphs = List.copyOf(graphs);
    for (int k = 1; k < graphs.size(); k++) {
      threads.add(DaemonThreads.single("minitransformer-worker-" + k));
    }
  }

  /** The model itself and count - 1 replicas of it. */
  public static Replicas of(GPT model, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("workers (" + count + ") must be at least 1");
    }
    List<GPT> graphs = new ArrayList<>();
    graphs.add(model);
    for (int k = 1; k < count; k++) {
      graphs.add(model.replica());
    }
    return new Replicas(graphs);
  }

  /** The model alone: everything on the calling thread. */
  public static Replicas single(GPT model) {
    return of(model, 1);
  }

  public int count() {
    return graphs.size();
  }

  /** The model the replicas were made from. */
  public GPT model() {
    return graphs.get(0);
  }

  /**
   * task(graph, i) for i = 0..n-1, n at most {@link #count}, task i on graph i, all at once; the
   * results in task order. The parameters must not change until it returns. A task's exception is
   * rethrown (the first in task order) once every task has ended.
   */
  public <T> List<T> map(int n, BiFunction<GPT, Integer, T> task) {
    if (n < 0 || n > graphs.size()) {
      throw new IllegalArgumentException(n + " tasks for " + graphs.size() + " graphs");
    }
    List<Future<T>> others = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      int k = i;
      others.add(threads.get(k - 1).submit(() -> task.apply(graphs.get(k), k)));
    }
    List<T> results = new ArrayList<>();
    Throwable failure = null;
    if (n > 0) {
      try {
        results.add(task.apply(graphs.get(0), 0));
      } catch (RuntimeException | Error e) {
        failure = e;
      }
    }
    boolean interrupted = false;
    for (Future<T> f : others) {
      while (true) { // every task must end before the graphs are used again
        try {
          results.add(f.get());
          break;
        } catch (ExecutionException e) {
          failure = failure == null ? e.getCause() : failure;
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure != null) {
      throw new IllegalStateException("a worker failed", failure);
    }
    return results;
  }

  /**
   * Stops the worker threads and frees every graph's replayed passes (GPT#releaseReplayedPasses):
   * training is over. The graphs stay usable from the calling thread.
   */
  @Override
  public void close() {
    threads.forEach(ExecutorService::shutdownNow);
    graphs.forEach(GPT::releaseReplayedPasses);
  }
}
