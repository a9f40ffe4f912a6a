package minitransformer.framework.exec;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;

/**
 * Releases SameDiff's sessions of a graph: the state that M2.1 keeps in a graph between passes,
 * one {@link InferenceSession} per thread that ever ran the graph, reused by that thread's next
 * pass. A session keeps, until it is dropped (framework/docs/samediff-m2.1.md, "Sessions"):
 *
 * <ul>
 *   <li>one op context per op, holding every input and output array of the last pass;
 *   <li>its memory manager's cache of released arrays, whose native buffers are freed only when the
 *       manager is closed or the Java GC collects them;
 *   <li>{@code freedArrays}, a {@code LinkedHashSet<Long>} to which every pass adds the id of every
 *       array it releases and from which nothing is ever removed: it grows with every pass.
 * </ul>
 *
 * <p>Release a graph's sessions when no pass of it is running; the next pass builds a fresh one.
 * Arrays a pass handed to its caller (its requested outputs) are not the session's and stay valid.
 */
public final class Sessions {
  private Sessions() {}

  /** Closes each session's memory manager (freeing its cached arrays now) and drops the sessions. */
  public static void release(SameDiff graph) {
    for (InferenceSession session : graph.getSessions().values()) {
      session.getMmgr().close();
    }
    graph.getSessions().clear();
  }
}
