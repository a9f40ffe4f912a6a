package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import minitransformer.training.bench.ResidentMemory;
import minitransformer.training.cli.TinyTrainedModel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A bounded load test on loopback: 16 clients send a mix of every endpoint for 50 s (20 s of warm-up while the JIT compiler settles, then 30 s measured). Every
 * answer must equal the answer to the same request made alone, no request may fail, and the
 * process's resident memory after warm-up must stay within 10% (read once a second after a garbage
 * collection, so it measures what the server keeps, not the garbage of the requests in flight; the
 * median of each 5 s window against the first window's). Prints each endpoint's throughput
 * and p50/p99 latency. {@code -Dserve.workers=N} serves with N model copies (default 1);
 * {@code -Dserve.endpoints=/api/predict,/api/model} sends only those endpoints' requests.
 * Run with {@code mvn test -pl training -am -Dgroups=load -DexcludedGroups=}; {@code .ci/run} does.
 */
@Tag("slow")
@Tag("load")
class ServeLoadTest {
  private static final int CLIENTS = 16;
  private static final long WARM_UP_MS = 20_000;
  private static final long RUN_MS = 50_000;
  private static final int MAX_REQUESTS_PER_CLIENT = 100_000;

  private record Call(String endpoint, String body) {}

  @Test
  void sixteenClientsGetTheAnswersTheyWouldGetAlone() throws Exception {
    String p = TinyTrainedModel.PROMPT;
    List<Call> all = List.of(
        new Call("/api/predict", "{\"prompt\": \"" + p + "\", \"top\": 5}"),
        new Call("/api/predict", "{\"prompt\": \"anna peeled an orange and then she wanted the\", \"temperature\": 0.7, \"top_k\": 5}"),
        new Call("/api/predict", "{\"prompt\": \"the phone was\", \"top_p\": 0.8}"),
        new Call("/api/attention", "{\"prompt\": \"" + p + "\"}"),
        new Call("/api/attention", "{\"prompt\": \"anna ate the apple .\", \"layer\": 1}"),
        new Call("/api/explain", "{\"prompt\": \"" + p + "\", \"layer\": 0, \"position\": 6}"),
        new Call("/api/explain", "{\"prompt\": \"ben bought the apple phone .\"}"),
        new Call("/api/similarity", "{\"words\": [\"apple\", \"orange\", \"phone\"]}"),
        new Call("/api/similarity", "{\"nearest\": \"apple\", \"top\": 5}"),
        new Call("/api/similarity", "{\"prompt\": \"" + p + "\", \"word\": \"apple\", \"ref\": \"orange,phone\"}"),
        new Call("/api/sample", "{\"prompt\": \"" + p + "\", \"tokens\": 30, \"seed\": 1}"),
        new Call("/api/sample", "{\"prompt\": \"the orange\", \"tokens\": 20, \"seed\": 2, \"temperature\": 1.2}"),
        new Call("/api/model", null));
    String only = System.getProperty("serve.endpoints"); // e.g. /api/predict,/api/model: only these
    List<Call> calls = only == null ? all
        : all.stream().filter(c -> List.of(only.split(",")).contains(c.endpoint())).toList();
    int workers = Integer.getInteger("serve.workers", 1);
    try (ExplorerServer server = ExplorerServer.start(TinyTrainedModel.loaded(), "127.0.0.1", 0, workers)) {
      ServeClient client = new ServeClient(server.uri());
      List<String> alone = new ArrayList<>();
      for (Call c : calls) {
        alone.add(answer(client, c));
      }

      Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
      List<String> failures = new CopyOnWriteArrayList<>();
      AtomicInteger done = new AtomicInteger();
      long start = System.nanoTime();
      long end = start + RUN_MS * 1_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        int id = i;
        Thread t = new Thread(() -> {
          for (int n = 0; n < MAX_REQUESTS_PER_CLIENT && System.nanoTime() < end; n++) {
            int k = (id * 7 + n) % calls.size();
            Call c = calls.get(k);
            long t0 = System.nanoTime();
            try {
              String got = answer(client, c);
              long t1 = System.nanoTime();
              if (t0 - start > WARM_UP_MS * 1_000_000L) {
                latencies.computeIfAbsent(c.endpoint(), e -> Collections.synchronizedList(new ArrayList<>())).add(t1 - t0);
              }
              if (!got.equals(alone.get(k))) {
                failures.add(c.endpoint() + " " + c.body() + ": a different answer under load");
              }
              done.incrementAndGet();
            } catch (Exception | AssertionError e) {
              failures.add(c.endpoint() + " " + c.body() + ": " + e);
            }
          }
        }, "load-client-" + i);
        threads.add(t);
        t.start();
      }
      List<Long> rss = new ArrayList<>();
      List<Long> heap = new ArrayList<>();
      Thread.sleep(WARM_UP_MS);
      while (System.nanoTime() < end) {
        System.gc(); // what is retained, not the garbage of the requests in flight
        Thread.sleep(100); // ND4J's deallocator frees the native buffers of collected arrays
        rss.add(ResidentMemory.now().rssBytes());
        heap.add(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        Thread.sleep(1000);
      }
      for (Thread t : threads) {
        t.join(120_000);
        assertTrue(!t.isAlive(), t.getName() + " did not finish");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double measured = (RUN_MS - WARM_UP_MS) / 1000.0;
      System.out.printf(Locale.ROOT, "serve load: %d clients, %d model cop%s, %.1f s, %d requests (%.1f/s), %d failures%n",
          CLIENTS, workers, workers == 1 ? "y" : "ies", seconds, done.get(), done.get() / seconds, failures.size());
      System.out.printf(Locale.ROOT, "%-16s %8s %10s %10s %10s%n", "endpoint", "requests", "per s", "p50 ms", "p99 ms");
      for (Map.Entry<String, List<Long>> e : new TreeMap<>(latencies).entrySet()) {
        List<Long> l = new ArrayList<>(e.getValue());
        Collections.sort(l);
        System.out.printf(Locale.ROOT, "%-16s %8d %10.1f %10.1f %10.1f%n", e.getKey(), l.size(), l.size() / measured,
            l.get(l.size() / 2) / 1e6, l.get(Math.min(l.size() - 1, (int) Math.ceil(l.size() * 0.99) - 1)) / 1e6);
      }
      long first = rss.get(0);
      long max = Collections.max(rss);
      long last = rss.get(rss.size() - 1);
      System.out.printf(Locale.ROOT, "resident memory after warm-up: first %.0f MB, max %.0f MB, last %.0f MB"
          + " (Java heap in use: first %.0f MB, last %.0f MB); each second: %s MB%n", first / 1e6, max / 1e6, last / 1e6,
          heap.get(0) / 1e6, heap.get(heap.size() - 1) / 1e6, rss.stream().map(b -> String.valueOf(b >> 20)).toList());

      assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())), failures.size() + " failures");
      assertEquals(calls.stream().map(Call::endpoint).distinct().count(), latencies.size(), "every endpoint was measured");
      assertTrue(first > 0, "VmRSS readable");
      // Flat: the median of every 5-second window within 10% of the first window's (a single reading can
      // catch a collection or a fresh session mid-way; the level is what must not move).
      long base = median(rss.subList(0, 5));
      for (int from = 0; from + 5 <= rss.size(); from += 5) {
        long level = median(rss.subList(from, from + 5));
        assertTrue(Math.abs(level - base) <= base * 0.10,
            "resident memory moved more than 10% after warm-up: " + level / 1e6 + " MB vs " + base / 1e6 + " MB, " + rss);
      }
      assertEquals(0, server.generating(), "no generation left running");
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /** The answer to one call: a JSON body, or a sample's whole event stream. */
  private static String answer(ServeClient client, Call c) throws Exception {
    if (c.endpoint().equals("/api/sample")) {
      StringBuilder all = new StringBuilder();
      for (ServeClient.Event e : client.sample(c.body())) {
        all.append(e.name()).append(' ').append(e.data()).append('\n');
      }
      return all.toString();
    }
    HttpResponse<String> r = c.body() == null ? client.get(c.endpoint()) : client.post(c.endpoint(), c.body());
    if (r.statusCode() != 200) {
      throw new AssertionError(c.endpoint() + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }
}
