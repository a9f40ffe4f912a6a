package minitransformer.training.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minitransformer.training.concurrent.DaemonThreads;
import org.eclipse.jetty.io.Connection;

/**
 * Deadlines for what a client sends, so that no connection is held open by a client that sends slowly
 * or not at all. A connection must complete a request's headers within {@link Limits#headersMillis} of
 * opening or of its previous answer, and the request's body within {@link Limits#bodyMillis} of its
 * headers; a connection past its deadline is closed. (Jetty's idle timeout alone closes only a connection
 * that sends nothing at all; one byte a second would keep it open for ever.) Answering is not limited here:
 * a stream may run as long as its client reads it.
 */
final class RequestDeadlines implements Connection.Listener, AutoCloseable {
  /** The server's time limits, in milliseconds. */
  record Limits(long headersMillis, long bodyMillis, long idleMillis) {
    static final Limits DEFAULT = new Limits(10_000, 20_000, 30_000);
  }

  /** What a connection is doing now, and since when. */
  private static final class State {
    volatile Phase phase = Phase.HEADERS;
    volatile long since = System.nanoTime();

    void enter(Phase p) {
      since = System.nanoTime();
      phase = p;
    }
  }

  private enum Phase { HEADERS, BODY, ANSWERING }

  private final Limits limits;
  private final Map<Connection, State> connections = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("serve-deadlines"));

  RequestDeadlines(Limits limits) {
    this.limits = limits;
    long period = Math.max(50, Math.min(limits.headersMillis(), limits.bodyMillis()) / 10);
    sweeper.scheduleWithFixedDelay(this::closeLate, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onOpened(Connection connection) {
    connections.put(connection, new State());
  }

  @Override
  public void onClosed(Connection connection) {
    connections.remove(connection);
  }

  /** The connection's request headers are complete; its body (if any) is being read. */
  void readingBody(Connection connection) {
    enter(connection, Phase.BODY);
  }

  /** The request is read whole; the server is answering it. */
  void answering(Connection connection) {
    enter(connection, Phase.ANSWERING);
  }

  /** The answer is sent; the connection may wait for its next request's headers. */
  void answered(Connection connection) {
    enter(connection, Phase.HEADERS);
  }

  /** Connections open now (for tests). */
  int open() {
    return connections.size();
  }

  private void enter(Connection connection, Phase phase) {
    State s = connections.get(connection);
    if (s != null) {
      s.enter(phase);
    }
  }

  private void closeLate() {
    long now = System.nanoTime();
    connections.forEach((connection, s) -> {
      long limit = switch (s.phase) {
        case HEADERS -> limits.headersMillis();
        case BODY -> limits.bodyMillis();
        case ANSWERING -> Long.MAX_VALUE;
      };
      if (limit != Long.MAX_VALUE && TimeUnit.NANOSECONDS.toMillis(now - s.since) > limit) {
        connection.getEndPoint().close();
      }
    });
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
