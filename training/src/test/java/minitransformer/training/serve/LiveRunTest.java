package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import minitransformer.training.TinyRuns;
import minitransformer.training.TrainedModel;
import minitransformer.training.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve follows a run while it trains: started on a run directory, it pushes every metrics line the run
 * logs from then on and a model event for each checkpoint it saves, and then answers from that checkpoint.
 * The run trains in the same JVM while the server follows it, and is not disturbed: it holds its lock, the
 * server takes none, and the run ends as it would alone.
 */
class LiveRunTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void theServerFollowsARunWhileItTrains() throws Exception {
    Path config = TinyRuns.write(dir, "");
    CliRun first = CliRun.of("train", "--quiet", "--config", config.toString()); // 6 steps, checkpoints at 3 and 6
    assertEquals(0, first.exit(), first.err());
    Path run = dir.resolve("runs").resolve("tiny");

    try (ExplorerServer server = ExplorerServer.start(TrainedModel.load(run), "127.0.0.1", 0, 1)) {
      server.follow(run);
      ServeClient client = new ServeClient(server.uri());
      JsonNode card = ServeClient.JSON.readTree(client.get("/api/model").body());
      assertEquals(6, card.get("step").asInt());
      assertTrue(card.get("following").asBoolean());
      long linesBefore = card.get("metrics_lines").asLong();

      List<String> events = new CopyOnWriteArrayList<>();
      Thread listener = new Thread(() -> listen(server, events), "events-listener");
      listener.setDaemon(true);
      listener.start();

      CliRun resumed = CliRun.of("train", "--quiet", "--resume", run.toString(),
          "--set", "training.max_iters=30", "--set", "training.lr_decay_iters=30");
      assertEquals(0, resumed.exit(), resumed.err());

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!events.contains("model 30") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(events.contains("model 30"), "a model event for the last checkpoint: " + events);
      long linesAfter = Files.readAllLines(run.resolve("metrics.jsonl")).size();
      while (events.stream().filter(e -> e.startsWith("metrics ")).count() < linesAfter - linesBefore
          && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(5)) {
        Thread.sleep(100); // the lines logged after the last checkpoint come with the next poll
      }
      List<Long> indices = events.stream().filter(e -> e.startsWith("metrics ")).map(e -> Long.parseLong(e.split(" ")[1]))
          .toList();
      assertEquals(linesAfter - linesBefore, indices.size(), "every line logged while following, once: " + indices);
      assertEquals(linesBefore, indices.get(0).longValue());

      JsonNode now = ServeClient.JSON.readTree(client.get("/api/model").body());
      assertEquals(30, now.get("step").asInt());
      JsonNode predict = ServeClient.JSON.readTree(
          client.post("/api/predict", "{\"prompt\": \"ab\", \"top\": 3}").body());
      assertEquals(30, predict.get("step").asInt(), "predictions come from the new checkpoint");
    }
  }

  /** Reads /api/events, noting "metrics INDEX" and "model STEP" for each event. */
  private static void listen(ExplorerServer server, List<String> events) {
    try (Socket socket = new Socket("127.0.0.1", server.uri().getPort())) {
      socket.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
          .getBytes(StandardCharsets.UTF_8));
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String name = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ") && name != null) {
          JsonNode data = ServeClient.JSON.readTree(line.substring(6));
          events.add(name.equals("metrics") ? "metrics " + data.get("index").asLong() : "model " + data.get("step").asInt());
        }
      }
    } catch (Exception e) {
      // the server closed the stream at the end of the test
    }
  }
}
