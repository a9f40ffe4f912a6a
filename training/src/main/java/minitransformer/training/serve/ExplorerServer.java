package minitransformer.training.serve;

import static minitransformer.training.serve.Exchanges.body;
import static minitransformer.training.serve.Exchanges.error;
import static minitransformer.training.serve.Exchanges.requireMethod;
import static minitransformer.training.serve.Exchanges.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import minitransformer.datasets.StreamingDecoder;
import minitransformer.framework.generate.CachedSampler;
import minitransformer.framework.generate.JavaKvCache;
import minitransformer.framework.generate.KvCache;
import minitransformer.training.TrainedModel;
import minitransformer.training.concurrent.DaemonThreads;
import minitransformer.training.report.Json;

/**
 * The explorer's HTTP server (the JDK's {@link HttpServer}): the page and its two files from the jar,
 * and the JSON API of {@link Api}. Bodies over {@link Exchanges#MAX_BODY_BYTES} get 413, an unknown path 404, a
 * known path with the wrong method 405; only the listed page files are ever read, so no path reaches
 * another file. Samples stream as server-sent events; a client that goes away stops its generation
 * at the next token.
 */
public final class ExplorerServer implements AutoCloseable {
  /** Request threads: streams hold one each while they run. */
  static final int THREADS = 16;

  /** Samples streaming at once; one more is answered 503. */
  static final int MAX_STREAMS = 8;

  private static final ObjectMapper JSON = Json.MAPPER;
  private static final ObjectMapper ONE_LINE = new ObjectMapper();
  private static final String WEB = "/minitransformer/training/serve/web/";

  private final HttpServer http;
  private final ThreadPoolExecutor executor;
  private final ModelPool pool;
  private final Api api;
  private final Semaphore streams = new Semaphore(MAX_STREAMS);
  private final AtomicInteger generating = new AtomicInteger();
  private final AtomicLong stoppedEarly = new AtomicLong();
  private volatile boolean closing;

  /** How a path answers an exchange whose method is already checked. */
  @FunctionalInterface
  private interface Answer {
    void answer(HttpExchange exchange) throws IOException;
  }

  /** A path's one allowed method and its answer. */
  private record Route(String method, Answer answer) {}

  /** Every path the server answers: the page's files, the model card, the JSON answers and the stream. */
  private final Map<String, Route> routes;

  private ExplorerServer(HttpServer http, ModelPool pool) throws IOException {
    this.http = http;
    this.pool = pool;
    this.api = new Api(pool);
    Route index = file("index.html");
    this.routes = Map.of(
        "/", index, "/index.html", index, "/app.js", file("app.js"), "/app.css", file("app.css"),
        "/api/model", get("application/json", JSON.writeValueAsBytes(ModelCard.of(pool.model()))),
        "/api/predict", json(api::predict, Api.PREDICT),
        "/api/sample", new Route("POST", exchange -> stream(exchange, api.sample(fields(exchange, Api.SAMPLE)))),
        "/api/attention", json(api::attention, Api.ATTENTION),
        "/api/explain", json(api::explain, Api.EXPLAIN),
        "/api/similarity", json(api::similarity, Api.SIMILARITY));
    this.executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        DaemonThreads.numbered("serve"));
    http.setExecutor(executor);
    http.createContext("/", this::handle);
  }

  /** Binds host:port (port 0: any free port) and starts serving the model with {@code workers} graph copies. */
  public static ExplorerServer start(TrainedModel model, String host, int port, int workers) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
    ExplorerServer server = new ExplorerServer(http, new ModelPool(model, workers));
    http.start();
    return server;
  }

  public URI uri() {
    InetSocketAddress a = http.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
  }

  /** Generations running now. */
  int generating() {
    return generating.get();
  }

  /** Generations stopped before their last token because the client went away (or the server closed). */
  long stoppedEarly() {
    return stoppedEarly.get();
  }

  /** Request threads busy now. */
  int busyThreads() {
    return executor.getActiveCount();
  }

  /** Stops accepting, ends running streams at their next token, and waits up to 5 s for requests to finish. */
  @Override
  public void close() {
    closing = true;
    http.stop(1);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      pool.close();
    }
  }

  private void handle(HttpExchange exchange) {
    try {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      Route route = routes.get(path);
      if (route == null) {
        throw new ApiException(404, "no such path: " + path);
      }
      requireMethod(exchange, route.method(), method);
      route.answer().answer(exchange);
    } catch (ApiException e) {
      error(exchange, e.status(), e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      // the client went away while we answered: nothing to tell it
    } catch (RuntimeException e) {
      System.err.println("serve: " + exchange.getRequestURI() + ": " + e);
      error(exchange, 500, "internal error: " + e);
    } finally {
      exchange.close();
    }
  }

  /**
   * POST /api/sample as server-sent events: {@code prompt} (the decoded prompt), one {@code token} per
   * generated token (its id, its text and the text it adds), then {@code done} with any text the
   * decoder held back ({@code rest}) and the whole text, which is what {@code sample} prints for the
   * same request.
   */
  private void stream(HttpExchange exchange, Api.SampleRequest request) throws IOException {
    if (!streams.tryAcquire()) {
      throw new ApiException(503, "tokens: " + MAX_STREAMS + " samples are streaming already; try again");
    }
    generating.incrementAndGet();
    try {
      KvCache cache = pool.with(m -> new JavaKvCache(m.gpt())); // copies the weights: generation needs no graph
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      StreamingDecoder decoder = pool.model().tokenizer().streamingDecoder(); // as sample prints its text
      StringBuilder text = new StringBuilder();
      int[] index = {0};
      for (int id : request.ids()) {
        text.append(decoder.push(id));
      }
      event(out, "prompt", JSON.createObjectNode().put("text", text.toString()));
      try {
        new CachedSampler(pool.model().gpt(), cache, request.refill()).generate(request.ids(), request.tokens(),
            request.options(), id -> {
              if (closing) {
                throw new UncheckedIOException(new IOException("server closing"));
              }
              String piece = decoder.push(id);
              text.append(piece);
              event(out, "token", JSON.createObjectNode().put("index", index[0]++).put("id", id)
                  .put("token", pool.model().tokenizer().token(id)).put("text", piece));
            });
      } catch (UncheckedIOException gone) {
        stoppedEarly.incrementAndGet();
        return;
      }
      String rest = decoder.finish();
      text.append(rest);
      event(out, "done", JSON.createObjectNode().put("tokens", request.tokens()).put("rest", rest)
          .put("text", text.toString()));
    } finally {
      generating.decrementAndGet();
      streams.release();
    }
  }

  private static void event(OutputStream out, String name, ObjectNode data) {
    try {
      out.write(("event: " + name + "\ndata: " + ONE_LINE.writeValueAsString(data) + "\n\n")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET: the same bytes every time. */
  private static Route get(String type, byte[] body) {
    return new Route("GET", exchange -> send(exchange, 200, type, body));
  }

  /** GET: one of the page's files, read from the jar once. */
  private static Route file(String name) throws IOException {
    return get(contentType(name), resource(name));
  }

  /** POST: a request body with these fields, answered with one JSON document. */
  private static Route json(Function<Fields, JsonNode> answer, Set<String> fields) {
    return new Route("POST", exchange ->
        send(exchange, 200, "application/json", JSON.writeValueAsBytes(answer.apply(fields(exchange, fields)))));
  }

  private static Fields fields(HttpExchange exchange, Set<String> names) throws IOException {
    return Fields.parse(body(exchange), names);
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
