package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minitransformer.training.cli.TinyTrainedModel;
import minitransformer.training.serve.RequestDeadlines.Limits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow clients cannot starve the others: 64 clients that send their headers one byte at a time and 16 that
 * send a body one byte at a time (more than the server has worker threads) while a normal client keeps
 * asking for predictions, which must come back within its usual latency; then the server closes every slow
 * connection once its header or body deadline has passed. All traffic is on loopback, bounded in time.
 */
class SlowClientsTest {
  private static final Limits LIMITS = new Limits(2_000, 3_000, 5_000);
  private static final String PREDICT =
      "{\"prompt\": \"" + TinyTrainedModel.PROMPT + "\", \"top\": 5}";
  private static ExplorerServer server;
  private static ServeClient client;

  @BeforeAll
  static void start() throws Exception {
    server = ExplorerServer.start(TinyTrainedModel.loaded(), "127.0.0.1", 0, 1, LIMITS);
    client = new ServeClient(server.uri());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Timeout(60)
  void slowClientsNeitherStarveOthersNorStayConnected() throws Exception {
    for (int i = 0; i < 5; i++) {
      predict(); // warm up
    }
    long[] usual = new long[15];
    for (int i = 0; i < usual.length; i++) {
      usual[i] = predict();
    }
    Arrays.sort(usual);
    long usualMedian = usual[usual.length / 2];

    List<Socket> slow = new ArrayList<>();
    List<Socket> closedByServer = new CopyOnWriteArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < 64; i++) {
        slow.add(open("POST /api/predict HTTP/1.1\r\nHost: localhost\r\n")); // headers never finished
      }
      for (int i = 0; i < 16; i++) {
        slow.add(open("POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 1000\r\n\r\n{\"prompt\": \"")); // a body that never ends
      }
      trickle.scheduleWithFixedDelay(() -> {
        for (Socket s : slow) {
          if (closedByServer.contains(s)) {
            continue;
          }
          try {
            s.getOutputStream().write('a');
            s.getOutputStream().flush();
          } catch (IOException gone) {
            closedByServer.add(s);
          }
        }
      }, 100, 100, TimeUnit.MILLISECONDS);
      Thread.sleep(500); // every slow client has started sending

      long[] during = new long[15];
      for (int i = 0; i < during.length; i++) {
        during[i] = predict();
      }
      Arrays.sort(during);
      long duringMedian = during[during.length / 2];
      assertTrue(duringMedian <= 3 * usualMedian + 50,
          "median latency with 80 slow clients " + duringMedian + " ms, alone " + usualMedian + " ms");
      assertTrue(during[during.length - 1] <= 2_000, "slowest answer " + during[during.length - 1] + " ms");

      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIMITS.bodyMillis() + 4_000);
      while (closedByServer.size() < slow.size() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      System.out.printf("slow clients: predict median %d ms alone, %d ms (max %d) beside %d slow clients;"
              + " %d of them closed by the server after their deadline%n",
          usualMedian, duringMedian, during[during.length - 1], slow.size(), closedByServer.size());
      assertEquals(slow.size(), closedByServer.size(), "slow connections the server closed after their deadline");
      assertTrue(server.openConnections() <= 1, "connections still open: " + server.openConnections());
    } finally {
      trickle.shutdownNow();
      for (Socket s : slow) {
        s.close();
      }
    }
    assertTrue(predict() < 2_000, "the server still answers");
  }

  /** One predict request's latency in ms; it must succeed. */
  private static long predict() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = client.post("/api/predict", PREDICT);
    assertEquals(200, r.statusCode(), r.body());
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private static Socket open(String start) throws IOException {
    Socket s = new Socket("127.0.0.1", server.uri().getPort());
    OutputStream out = s.getOutputStream();
    out.write(start.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return s;
  }
}
