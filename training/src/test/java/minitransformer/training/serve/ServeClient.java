package minitransformer.training.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A java.net.http client for the explorer's API, as the tests use it. */
final class ServeClient {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI base;

  ServeClient(URI base) {
    this.base = base;
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** POST and parse a 200 answer. */
  JsonNode json(String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = post(path, body);
    if (r.statusCode() != 200) {
      throw new AssertionError(path + " " + body + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** One server-sent event. */
  record Event(String name, JsonNode data) {}

  /** POST /api/sample and read every event until the stream ends. */
  List<Event> sample(String body) throws IOException, InterruptedException {
    HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(base.resolve("/api/sample"))
            .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new AssertionError("/api/sample " + body + " -> " + r.statusCode() + " "
          + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    return events(new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)), Integer.MAX_VALUE);
  }

  /** Reads up to max events ("event: NAME" then "data: JSON" then a blank line). */
  static List<Event> events(BufferedReader in, int max) throws IOException {
    List<Event> events = new ArrayList<>();
    String name = null;
    for (String line; events.size() < max && (line = in.readLine()) != null; ) {
      if (line.startsWith("event: ")) {
        name = line.substring(7);
      } else if (line.startsWith("data: ")) {
        events.add(new Event(name, JSON.readTree(line.substring(6))));
      }
    }
    return events;
  }

  /** The whole text a finished stream reports in its done event. */
  static String doneText(List<Event> events) {
    Event last = events.get(events.size() - 1);
    if (!"done".equals(last.name())) {
      throw new AssertionError("the stream did not end with done: " + last);
    }
    return last.data().get("text").asText();
  }
}
