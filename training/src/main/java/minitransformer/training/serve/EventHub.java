package minitransformer.training.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import minitransformer.training.concurrent.DaemonThreads;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * GET /api/events: the server-sent events of a followed run, pushed to every page that listens. Each
 * listener has its own queue and thread (at most {@link #MAX_LISTENERS}), so a page that reads slowly holds
 * up only itself; a comment line every {@link #HEARTBEAT_SECONDS} s keeps an idle stream open. A new listener
 * first gets every metrics event since the server began following, so a page that loaded its model card
 * just before listening misses no line (it keeps those whose index is at least the card's count).
 */
final class EventHub implements AutoCloseable {
  static final int MAX_LISTENERS = 16;
  static final int HEARTBEAT_SECONDS = 15;
  private static final int MAX_REPLAY = 100_000;
  private static final String CLOSE = "";

  private final List<BlockingQueue<String>> listeners = new CopyOnWriteArrayList<>();
  private final List<String> replay = new ArrayList<>();
  private volatile boolean closed;

  /** Sends an event to every listener; metrics events are also kept for listeners to come. */
  void publish(String name, String json) {
    String event = Exchanges.event(name, json);
    synchronized (replay) {
      if (name.equals("metrics") && replay.size() < MAX_REPLAY) {
        replay.add(event);
      }
      for (BlockingQueue<String> q : listeners) {
        q.add(event);
      }
    }
  }

  /** Streams events to the response on a thread of its own until the client leaves or the server closes. */
  void listen(Response response, Callback done) {
    if (closed) {
      throw new ApiException(503, "server is shutting down");
    }
    if (listeners.size() >= MAX_LISTENERS) {
      throw new ApiException(503, MAX_LISTENERS + " pages are following this run already; try again");
    }
    BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    synchronized (replay) {
      queue.addAll(replay);
      listeners.add(queue);
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    DaemonThreads.numbered("serve-events").newThread(() -> {
      try {
        Exchanges.stream(response, ": following\n\n");
        while (!closed) {
          String event = queue.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
          if (event == CLOSE) {
            break;
          }
          Exchanges.stream(response, event == null ? ": keep-alive\n\n" : event);
        }
        response.write(true, ByteBuffer.allocate(0), done);
      } catch (IOException | InterruptedException e) {
        done.failed(e); // the page went away
      } finally {
        listeners.remove(queue);
      }
    }).start();
  }

  int listeners() {
    return listeners.size();
  }

  @Override
  public void close() {
    closed = true;
    for (BlockingQueue<String> q : listeners) {
      q.add(CLOSE);
    }
  }
}
