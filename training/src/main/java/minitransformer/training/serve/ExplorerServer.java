package minitransformer.training.serve;

import static minitransformer.training.serve.Exchanges.body;
import static minitransformer.training.serve.Exchanges.error;
import static minitransformer.training.serve.Exchanges.requireMethod;
import static minitransformer.training.serve.Exchanges.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import minitransformer.training.TrainedModel;
import minitransformer.training.concurrent.DaemonThreads;
import minitransformer.training.report.Json;
import minitransformer.training.serve.RequestDeadlines.Limits;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The explorer's HTTP server (Jetty): the page and its script and style files from the jar, and the JSON API of
 * {@link Api}. Bodies over {@link Exchanges#MAX_BODY_BYTES} get 413, an unknown path 404, a known path with
 * the wrong method 405; only the listed page files are ever read, so no path reaches another file.
 *
 * <p>Slow clients cannot starve the others: Jetty reads request headers and bodies as they arrive without
 * holding a thread, a request runs on one of {@link #THREADS} worker threads only once it is read whole, and
 * {@link RequestDeadlines} closes a connection that takes longer than its limits to send headers or a body
 * (Jetty's idle timeout closes one that sends nothing). Samples stream as server-sent events
 * ({@link SampleStream}); a client that goes away stops its generation at the next token.
 */
public final class ExplorerServer implements AutoCloseable {
  /** Worker threads: a request holds one while the model answers it, a stream while it runs. */
  static final int THREADS = 16;

  private static final ObjectMapper JSON = Json.MAPPER;
  private static final String WEB = "/minitransformer/training/serve/web/";

  private final Server http;
  private final ServerConnector connector;
  private final RequestDeadlines deadlines;
  private final ThreadPoolExecutor workers;
  private final SampleStream samples = new SampleStream();
  private final ServedModel served;

  /** How a path answers a request whose method is checked and whose body (for POST) is read. */
  @FunctionalInterface
  private interface Answer {
    void answer(Response response, Callback done, byte[] body) throws IOException;
  }

  /** A path's one allowed method and its answer. */
  private record Route(String method, Answer answer) {}

  /** Every path the server answers: the page's files, the model card, the JSON answers and the stream. */
  private final Map<String, Route> routes;

  private ExplorerServer(String host, int port, TrainedModel model, int graphs, Limits limits) throws IOException {
    this.served = new ServedModel(model, graphs);
    Route index = file("index.html");
    this.routes = Map.ofEntries(
        Map.entry("/", index), Map.entry("/index.html", index), Map.entry("/app.js", file("app.js")),
        Map.entry("/views.js", file("views.js")), Map.entry("/attention.js", file("attention.js")),
        Map.entry("/app.css", file("app.css")),
        Map.entry("/api/model", new Route("GET", (response, done, body) ->
            send(response, done, 200, "application/json", served.card()))),
        Map.entry("/api/events", new Route("GET", (response, done, body) -> served.listen(response, done))),
        Map.entry("/api/predict", json(api -> api::predict, Api.PREDICT)),
        Map.entry("/api/sample", new Route("POST", (response, done, body) -> {
          ServedModel.Served s = served.current();
          samples.stream(response, done, s.api().sample(Fields.parse(body, Api.SAMPLE)), s.pool());
        })),
        Map.entry("/api/attention", json(api -> api::attention, Api.ATTENTION)),
        Map.entry("/api/explain", json(api -> api::explain, Api.EXPLAIN)),
        Map.entry("/api/similarity", json(api -> api::similarity, Api.SIMILARITY)));
    this.workers = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        DaemonThreads.numbered("serve"));
    QueuedThreadPool io = new QueuedThreadPool(32, 4);
    io.setName("serve-http");
    io.setDaemon(true);
    this.http = new Server(io);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setIdleTimeout(limits.idleMillis());
    this.connector = new ServerConnector(http, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(limits.idleMillis());
    this.deadlines = new RequestDeadlines(limits);
    connector.addBean(deadlines);
    http.addConnector(connector);
    http.setHandler(new Router());
    http.setStopTimeout(1000);
  }

  /** Binds host:port (port 0: any free port) and starts serving the model with {@code workers} graph copies. */
  public static ExplorerServer start(TrainedModel model, String host, int port, int workers) throws IOException {
    return start(model, host, port, workers, Limits.DEFAULT);
  }

  static ExplorerServer start(TrainedModel model, String host, int port, int workers, Limits limits)
      throws IOException {
    ExplorerServer server = new ExplorerServer(host, port, model, workers, limits);
    try {
      server.http.start();
    } catch (Exception e) {
      server.close();
      if (e.getCause() instanceof BindException bind) {
        throw bind; // Jetty wraps it; the command names the host and port
      }
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
    return server;
  }

  public URI uri() {
    String host = connector.getHost() == null || connector.getHost().isEmpty() || connector.getHost().equals("0.0.0.0")
        ? "127.0.0.1" : connector.getHost();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + connector.getLocalPort() + "/");
  }

  /**
   * Follows run, the run directory of the served checkpoint, while it trains: the page's loss curve grows
   * with its metrics.jsonl (pushed on /api/events), and each checkpoint it saves replaces the served model.
   */
  public void follow(Path run) {
    served.follow(run);
  }

  /** Generations running now. */
  int generating() {
    return samples.generating();
  }

  /** Generations stopped before their last token because the client went away (or the server closed). */
  long stoppedEarly() {
    return samples.stoppedEarly();
  }

  /** Worker threads busy now. */
  int busyThreads() {
    return workers.getActiveCount();
  }

  /** Connections open now. */
  int openConnections() {
    return deadlines.open();
  }

  /** Stops accepting, ends running streams at their next token, and waits up to 5 s for requests to finish. */
  @Override
  public void close() {
    samples.close();
    try {
      http.stop();
    } catch (Exception e) {
      // stopping is best effort: the workers below are ended either way
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      deadlines.close();
      served.close();
    }
  }

  /** Routes a request: headers are in; a POST's body is read without a thread, then answered on a worker. */
  private final class Router extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Connection connection = request.getConnectionMetaData().getConnection();
      deadlines.readingBody(connection);
      Callback done = Callback.from(() -> {
        deadlines.answered(connection);
        callback.succeeded();
      }, x -> {
        deadlines.answered(connection);
        callback.failed(x);
      });
      String path = request.getHttpURI().getPath();
      Route route = routes.get(path);
      try {
        if (route == null) {
          throw new ApiException(404, "no such path: " + path);
        }
        requireMethod(request, response, route.method());
      } catch (ApiException e) {
        error(response, done, e.status(), e.getMessage());
        return true;
      }
      if (route.method().equals("GET")) {
        deadlines.answering(connection);
        answer(route, response, done, new byte[0], path);
        return true;
      }
      body(request).whenComplete((bytes, failure) -> {
        deadlines.answering(connection);
        if (failure != null) {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof ApiException e) {
            error(response, done, e.status(), e.getMessage());
          } else {
            done.failed(cause); // the client went away or its body could not be read
          }
          return;
        }
        try {
          workers.execute(() -> answer(route, response, done, bytes, path));
        } catch (RuntimeException rejected) {
          error(response, done, 503, "server is shutting down");
        }
      });
      return true;
    }
  }

  private static void answer(Route route, Response response, Callback done, byte[] body, String path) {
    try {
      route.answer().answer(response, done, body);
    } catch (ApiException e) {
      error(response, done, e.status(), e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      done.failed(e); // the client went away while we answered: nothing to tell it
    } catch (RuntimeException e) {
      System.err.println("serve: " + path + ": " + e);
      error(response, done, 500, "internal error: " + e);
    }
  }

  /** GET: the same bytes every time. */
  private static Route get(String type, byte[] bytes) {
    return new Route("GET", (response, done, body) -> send(response, done, 200, type, bytes));
  }

  /** GET: one of the page's files, read from the jar once. */
  private static Route file(String name) throws IOException {
    return get(contentType(name), resource(name));
  }

  /** POST: a request body with these fields, answered with one JSON document by the served model's Api. */
  private Route json(Function<Api, Function<Fields, JsonNode>> answer, Set<String> fields) {
    return new Route("POST", (response, done, body) -> send(response, done, 200, "application/json",
        JSON.writeValueAsBytes(answer.apply(served.current().api()).apply(Fields.parse(body, fields)))));
  }

  private static String contentType(String file) {
    if (file.endsWith(".js")) {
      return "text/javascript";
    }
    return file.endsWith(".css") ? "text/css" : "text/html";
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ExplorerServer.class.getResourceAsStream(WEB + name)) {
      if (in == null) {
        throw new IOException("the page file " + WEB + name + " is missing from the jar");
      }
      return in.readAllBytes();
    }
  }
}
