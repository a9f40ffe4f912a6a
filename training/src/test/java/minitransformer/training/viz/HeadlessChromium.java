package minitransformer.training.viz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium driven over the DevTools protocol with the JDK's own WebSocket client
 * (no browser-automation library): navigate, evaluate JavaScript, move and click the mouse, take a
 * screenshot. Started as the machine notes say (no sandbox as root, no background networking).
 */
public final class HeadlessChromium implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  public static HeadlessChromium start(int width, int height) throws Exception {
    Path profile = Files.createTempDirectory("chromium-profile-");
    Process process = new ProcessBuilder(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--remote-debugging-port=0",
        "--remote-allow-origins=*", "--window-size=" + width + "," + height, "about:blank"))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    LinkedBlockingQueue<String> endpoint = new LinkedBlockingQueue<>();
    Thread drain = new Thread(() -> {
      try (BufferedReader err = new BufferedReader(
          new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = err.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            endpoint.add(m.group(1));
          }
        }
      } catch (IOException ignored) {
        // the browser has gone
      }
    }, "chromium-stderr");
    drain.setDaemon(true);
    drain.start();
    String browserUrl = endpoint.poll(60, TimeUnit.SECONDS);
    if (browserUrl == null) {
      process.destroyForcibly();
      throw new IllegalStateException("chromium printed no DevTools endpoint within 60 s");
    }
    URI browser = URI.create(browserUrl);
    HttpClient http = HttpClient.newHttpClient();
    String pageUrl = null;
    for (int attempt = 0; attempt < 50 && pageUrl == null; attempt++) {
      HttpResponse<String> list = http.send(HttpRequest.newBuilder(
              URI.create("http://" + browser.getHost() + ":" + browser.getPort() + "/json/list")).build(),
          HttpResponse.BodyHandlers.ofString());
      for (JsonNode target : JSON.readTree(list.body())) {
        if ("page".equals(target.path("type").asText())) {
          pageUrl = target.get("webSocketDebuggerUrl").asText();
        }
      }
      if (pageUrl == null) {
        Thread.sleep(100);
      }
    }
    if (pageUrl == null) {
      process.destroyForcibly();
      throw new IllegalStateException("chromium has no page target");
    }
    HeadlessChromium[] self = new HeadlessChromium[1];
    StringBuilder partial = new StringBuilder();
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          String message = partial.toString();
          partial.setLength(0);
          self[0].receive(message);
        }
        ws.request(1);
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
    self[0] = new HeadlessChromium(process, profile, socket);
    return self[0];
  }

  private void receive(String message) {
    try {
      JsonNode node = JSON.readTree(message);
      if (node.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(node.get("id").asInt());
        if (f != null) {
          if (node.has("error")) {
            f.completeExceptionally(new IllegalStateException("DevTools error: " + node.get("error")));
          } else {
            f.complete(node.get("result"));
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("bad DevTools message", e);
    }
  }

  /** Sends one DevTools command and waits for its result. */
  public JsonNode send(String method, Map<String, ?> params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode command = JSON.createObjectNode();
    command.put("id", id);
    command.put("method", method);
    command.set("params", JSON.valueToTree(params));
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    pending.put(id, result);
    socket.sendText(JSON.writeValueAsString(command), true).get(30, TimeUnit.SECONDS);
    return result.get(60, TimeUnit.SECONDS);
  }

  /** Opens a URL and waits until the document has loaded. */
  public void open(String url) throws Exception {
    send("Page.enable", Map.of());
    send("Page.navigate", Map.of("url", url));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"complete".equals(evaluate("document.readyState").asText())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("page did not load: " + url);
      }
      Thread.sleep(50);
    }
  }

  /** The value of a JavaScript expression (returned by value, as JSON). */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("JavaScript threw: " + r.get("exceptionDetails"));
    }
    return r.get("result").path("value");
  }

  /** A real mouse move to (x, y) in CSS pixels: the page sees mouseover and mousemove. */
  public void moveMouse(double x, double y) throws Exception {
    send("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
  }

  public void click(double x, double y) throws Exception {
    moveMouse(x, y);
    for (String type : List.of("mousePressed", "mouseReleased")) {
      send("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left", "clickCount", 1));
    }
  }

  /** A PNG of the whole page. */
  public byte[] screenshot() throws Exception {
    JsonNode r = send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    return java.util.Base64.getDecoder().decode(r.get("data").asText());
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
