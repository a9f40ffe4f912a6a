package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import minitransformer.datasets.CharTokenizer;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.ParameterCount;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.analysis.AttentionExplanation;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadFocus;
import minitransformer.framework.analysis.RawScores;
import minitransformer.framework.analysis.Similarity;
import minitransformer.framework.analysis.TokenEmbeddings;
import minitransformer.training.TrainedModel;
import minitransformer.training.cli.CliRun;
import minitransformer.training.cli.TinyTrainedModel;
import minitransformer.training.metrics.MetricsLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The explorer's JSON API through java.net.http on a tiny trained model: each endpoint against the
 * command it shares code with (predict --json byte for byte, sample's text, the analyses' numbers),
 * every kind of bad request, path traversal, and a client leaving mid-stream.
 */
class ExplorerServerTest {
  private static final String PROMPT = TinyTrainedModel.PROMPT;
  private static TrainedModel model;
  private static ExplorerServer server;
  private static ServeClient client;

  @BeforeAll
  static void start() throws Exception {
    model = TinyTrainedModel.loaded();
    server = ExplorerServer.start(model, "127.0.0.1", 0, 1);
    client = new ServeClient(server.uri());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String run() throws Exception {
    return TinyTrainedModel.run().toString();
  }

  @Test
  void predictAnswersExactlyWhatPredictJsonPrints() throws Exception {
    CliRun cli = CliRun.of("predict", "--checkpoint", run(), "--prompt", PROMPT, "--top", "5", "--json");
    assertEquals(0, cli.exit(), cli.err());
    HttpResponse<String> r = client.post("/api/predict", "{\"prompt\": \"" + PROMPT + "\", \"top\": 5}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(cli.out().strip(), r.body().strip());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

    CliRun filtered = CliRun.of("predict", "--checkpoint", run(), "--prompt", PROMPT, "--top", "7", "--json",
        "--temperature", "0.5", "--top-k", "4", "--top-p", "0.9");
    String api = client.post("/api/predict",
        "{\"prompt\": \"" + PROMPT + "\", \"top\": 7, \"temperature\": 0.5, \"top_k\": 4, \"top_p\": 0.9}").body();
    assertEquals(filtered.out().strip(), api.strip());
    JsonNode predictions = ServeClient.JSON.readTree(api).get("predictions");
    double kept = 0;
    for (int i = 0; i < predictions.size(); i++) {
      double p = predictions.get(i).get("sampling_probability").asDouble();
      assertEquals(i < 4 ? p : 0.0, p, 0.0, "top-k 4 leaves nothing to rank " + (i + 1));
      kept += p;
    }
    assertEquals(1.0, kept, 1e-9, "the draw probabilities of the kept tokens sum to 1");
  }

  @Test
  void sampleStreamsTheTextSamplePrints() throws Exception {
    CliRun cli = CliRun.of("sample", "--checkpoint", run(), "--prompt", PROMPT, "--tokens", "40", "--seed", "7",
        "--temperature", "1.1", "--top-k", "0", "--top-p", "0.9");
    assertEquals(0, cli.exit(), cli.err());
    List<ServeClient.Event> events = client.sample(
        "{\"prompt\": \"" + PROMPT + "\", \"tokens\": 40, \"seed\": 7, \"temperature\": 1.1, \"top_p\": 0.9}");
    assertEquals("prompt", events.get(0).name());
    assertEquals(42, events.size(), "prompt, 40 tokens, done");
    StringBuilder pieces = new StringBuilder();
    for (ServeClient.Event e : events.subList(0, 41)) {
      pieces.append(e.data().get("text").asText());
    }
    String done = ServeClient.doneText(events);
    pieces.append(events.get(41).data().get("rest").asText());
    assertEquals(done, pieces.toString(), "the pieces add up to the whole text");
    assertEquals(cli.out().stripTrailing(), done);
    assertEquals(done, ServeClient.doneText(client.sample(
        "{\"prompt\": \"" + PROMPT + "\", \"tokens\": 40, \"seed\": 7, \"temperature\": 1.1, \"top_p\": 0.9}")),
        "same seed, same text");
  }

  @Test
  void attentionGivesTheGraphsMapsAndTheRawScores() throws Exception {
    JsonNode r = client.json("/api/attention", "{\"prompt\": \"" + PROMPT + "\"}");
    int[] ids = model.tokenizer().encode(PROMPT);
    AttentionMaps maps = AttentionMaps.of(model.gpt(), ids);
    assertEquals(ids.length, r.get("tokens").size());
    assertEquals(model.tokenizer().token(ids[3]), r.get("tokens").get(3).asText());
    assertEquals(2 * 2, r.get("maps").size());
    for (JsonNode map : r.get("maps")) {
      int l = map.get("layer").asInt();
      int h = map.get("head").asInt();
      RawScores raw = RawScores.of(model.gpt(), ids, l);
      for (int t = 0; t < ids.length; t++) {
        for (int s = 0; s < ids.length; s++) {
          assertEquals(maps.weight(l, h, t, s), map.get("weights").get(t).get(s).asDouble(), 0.0);
          assertEquals(raw.matrix(h)[t][s], map.get("raw_scores").get(t).get(s).asDouble(), 0.0);
        }
      }
      assertEquals(raw.asymmetry(h), map.get("asymmetry").asDouble(), 0.0);
    }
    JsonNode one = client.json("/api/attention", "{\"prompt\": \"" + PROMPT + "\", \"layer\": 1, \"head\": 0}");
    assertEquals(1, one.get("maps").size());
    assertEquals(1, one.get("maps").get(0).get("layer").asInt());
    // every head's focus, whichever maps are asked for: the page's summary of a model with many heads
    for (HeadFocus f : HeadFocus.of(maps)) {
      assertEquals(f.focus(), one.get("focus").get(f.layer()).get(f.head()).asDouble(), 1e-12);
    }
  }

  @Test
  void explainGivesTheStepByStepNumbers() throws Exception {
    int[] ids = model.tokenizer().encode(PROMPT);
    JsonNode r = client.json("/api/explain", "{\"prompt\": \"" + PROMPT + "\", \"layer\": 1, \"head\": 1, \"position\": 4}");
    AttentionExplanation e = AttentionExplanation.of(model.gpt(), ids, 1, 4);
    JsonNode head = r.get("layers").get(0).get("heads").get(0);
    assertEquals(1, head.get("head").asInt());
    for (int s = 0; s < ids.length; s++) {
      if (s <= 4) {
        assertEquals(e.heads().get(1).dots()[s], head.get("dots").get(s).asDouble(), 0.0);
        assertEquals(e.heads().get(1).scores()[s], head.get("scores").get(s).asDouble(), 0.0);
      } else {
        assertTrue(head.get("dots").get(s).isNull(), "a masked key has no score");
      }
      assertEquals(e.heads().get(1).weights()[s], head.get("weights").get(s).asDouble(), 0.0);
    }
    assertEquals(e.maxWeightDifference(), r.get("layers").get(0).get("max_weight_difference").asDouble(), 0.0);
    for (String option : List.of("kv_head", "query_before_rotation", "query_before_qk_norm")) {
      assertFalse(head.has(option), "a GPT-2 model's JSON has no " + option);
    }
    for (String option : List.of("rope_angles", "kv_heads", "qk_norm")) {
      assertFalse(r.get("layers").get(0).has(option), "a GPT-2 model's JSON has no " + option);
    }
    JsonNode all = client.json("/api/explain", "{\"prompt\": \"" + PROMPT + "\"}");
    assertEquals(ids.length - 1, all.get("position").asInt(), "default: the last token");
    assertEquals(2, all.get("layers").size());
    assertEquals(2, all.get("layers").get(0).get("heads").size());
  }

  @Test
  void similarityGivesTheEmbeddingTables() throws Exception {
    TokenEmbeddings wte = TokenEmbeddings.of(model.gpt());
    JsonNode r = client.json("/api/similarity", "{\"words\": [\"apple\", \"orange\", \"phone\"]}");
    double[][] vectors = java.util.stream.Stream.of("apple", "orange", "phone")
        .map(w -> wte.vector(model.tokenizer().id(w).getAsInt())).toArray(double[][]::new);
    for (Similarity measure : Similarity.values()) {
      double[][] table = measure.table(vectors);
      JsonNode got = r.get(measure.name().toLowerCase(java.util.Locale.ROOT));
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          assertEquals(table[i][j], got.get(i).get(j).asDouble(), 0.0);
        }
      }
    }
    assertEquals(r, client.json("/api/similarity", "{\"words\": \"apple,orange,phone\"}"), "a,b,c as on the command line");
    JsonNode near = client.json("/api/similarity", "{\"nearest\": \"apple\", \"top\": 3}");
    List<TokenEmbeddings.Neighbour> expected = wte.nearest(model.tokenizer().id("apple").getAsInt(), 3, Similarity.COSINE);
    assertEquals(3, near.get("neighbours").size());
    for (int i = 0; i < 3; i++) {
      assertEquals(expected.get(i).id(), near.get("neighbours").get(i).get("id").asInt());
    }
    JsonNode path = client.json("/api/similarity",
        "{\"prompt\": \"" + PROMPT + "\", \"word\": \"apple\", \"ref\": [\"orange\", \"phone\"]}");
    assertEquals(2 + 2, path.get("stages").size(), "embeddings, 2 blocks, ln_f");
    assertEquals(2, path.get("cosine").get(0).size());
  }

  @Test
  void modelCardHasConfigParametersAndLosses() throws Exception {
    HttpResponse<String> r = client.get("/api/model");
    assertEquals(200, r.statusCode());
    JsonNode card = ServeClient.JSON.readTree(r.body());
    assertEquals(model.step(), card.get("step").asLong());
    assertEquals(ParameterCount.of(model.config()).total(), card.get("params").get("total").asLong());
    assertEquals(16, card.get("params").get("model").get("n_embd").asInt());
    List<JsonNode> metrics = MetricsLog.read(model.directory().getParent().resolve(MetricsLog.FILE));
    JsonNode lastEval = metrics.stream().filter(m -> m.get("type").asText().equals("eval")).reduce((a, b) -> b).orElseThrow();
    assertEquals(lastEval.get("val_loss").asDouble(), card.get("final").get("val_loss").asDouble(), 0.0);
    assertTrue(card.get("loss_curve").size() > 1, "a curve, not a point");
  }

  @Test
  void badRequestsGet400NamingTheField() throws Exception {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("{\"prompt\": ", "body");
    cases.put("[1, 2]", "body");
    cases.put("{}", "prompt: missing");
    cases.put("{\"prompt\": 3}", "prompt: must be a string");
    cases.put("{\"prompt\": \"the apple\", \"temperature\": -0.5}", "temperature");
    cases.put("{\"prompt\": \"the apple\", \"top_p\": 0}", "top_p");
    cases.put("{\"prompt\": \"the apple\", \"top_p\": 1.5}", "top_p");
    cases.put("{\"prompt\": \"the apple\", \"top_k\": -1}", "top_k");
    cases.put("{\"prompt\": \"the apple\", \"top\": 0}", "top");
    cases.put("{\"prompt\": \"the apple\", \"top\": \"many\"}", "top: must be an integer");
    cases.put("{\"prompt\": \"the apple\", \"temprature\": 1}", "temprature: unknown field");
    cases.put("{\"prompt\": \"" + "apple ".repeat(700) + "\"}", "prompt: is 4200 characters long");
    cases.put("{\"prompt\": \"   \"}", "prompt: holds no words");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      assertError(client.post("/api/predict", c.getKey()), 400, c.getValue());
    }
    assertError(client.post("/api/attention", "{\"prompt\": \"the apple\", \"layer\": 2}"), 400, "layer: 2 is out of range 0..1");
    assertError(client.post("/api/attention", "{\"prompt\": \"the apple\", \"head\": -1}"), 400, "head");
    assertError(client.post("/api/explain", "{\"prompt\": \"the apple\", \"position\": 2}"), 400, "position: 2 is out of range 0..1");
    JsonNode longPrompt = client.json("/api/explain", "{\"prompt\": \"" + "apple ".repeat(17) + "\"}");
    assertEquals(16, longPrompt.get("tokens").size(), "a prompt over block_size: its last block_size tokens, as the CLI");
    assertError(client.post("/api/sample", "{\"prompt\": \"the apple\", \"tokens\": 0}"), 400, "tokens");
    assertError(client.post("/api/sample", "{\"prompt\": \"the apple\", \"tokens\": 10001}"), 400, "tokens");
    assertError(client.post("/api/sample", "{\"prompt\": \"the apple\", \"seed\": 1.5}"), 400, "seed");
    assertError(client.post("/api/similarity", "{\"words\": [\"apple\", \"zebra\"]}"), 400, "words: \"zebra\" is not in");
    assertError(client.post("/api/similarity", "{\"words\": [\"apple\"]}"), 400, "words: needs 2");
    assertError(client.post("/api/similarity", "{\"words\": \"apple,orange\", \"nearest\": \"apple\"}"), 400, "exactly one");
    assertError(client.post("/api/similarity", "{\"prompt\": \"the apple\", \"word\": \"phone\", \"ref\": \"apple\"}"), 400,
        "word: \"phone\" does not occur");
  }

  @Test
  void aCharacterOutsideACharModelsVocabularyIsA400() throws Exception {
    CharTokenizer chars = CharTokenizer.fit("abc .");
    GPTConfig config = new GPTConfig(chars.vocabSize(), 8, 1, 1, 8, PositionalEncoding.LEARNED, true, true, 0.0);
    TrainedModel tiny = new TrainedModel(Path.of("untrained"), 0, GPT.create(config, 1), chars, config);
    try (ExplorerServer charServer = ExplorerServer.start(tiny, "127.0.0.1", 0, 1)) {
      ServeClient c = new ServeClient(charServer.uri());
      assertEquals(200, c.post("/api/predict", "{\"prompt\": \"ab c\"}").statusCode());
      HttpResponse<String> r = c.post("/api/predict", "{\"prompt\": \"abz\"}");
      assertError(r, 400, "prompt: ");
      assertTrue(r.body().contains("'z'") || r.body().contains("\\\"z\\\"") || r.body().contains("z"), r.body());
    }
  }

  @Test
  void unknownPathWrongMethodAndLargeBody() throws Exception {
    assertError(client.get("/api/nothing"), 404, "no such path");
    assertError(client.get("/api/predict"), 405, "use POST");
    assertEquals("POST", client.get("/api/predict").headers().firstValue("Allow").orElse(""));
    assertError(client.post("/api/model", "{}"), 405, "use GET");
    assertError(client.post("/api/predict", "{\"prompt\": \"" + "a".repeat(70_000) + "\"}"), 413, "body");
    HttpResponse<String> page = client.get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<script src=\"app.js\">"), "the page");
    assertTrue(client.get("/app.js").headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
    for (String file : List.of("/", "/app.js", "/views.js", "/attention.js", "/app.css")) {
      String text = client.get(file).body();
      assertFalse(text.matches("(?s).*(src|href)\\s*=\\s*[\"']?(https?:)?//.*"), file + " loads something from elsewhere");
      assertFalse(text.contains("@import"), file);
    }
  }

  @Test
  void noPathReachesAFileOutsideThePage() throws Exception {
    for (String path : List.of("/../pom.xml", "/%2e%2e/%2e%2e/etc/passwd", "/app.js/../../../../etc/passwd",
        "//etc/passwd", "/..%2f..%2fetc%2fpasswd", "/minitransformer/training/serve/web/app.js",
        "/META-INF/MANIFEST.MF", "/app.js%00.html", "/web/index.html", "/.%2e/pom.xml", "/index.html/")) {
      String answer = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 404") || answer.startsWith("HTTP/1.1 400"), path + " -> " + answer);
      assertFalse(answer.contains("root:") || answer.contains("<project") || answer.contains("Manifest-Version"), path);
    }
  }

  @Test
  void aClientLeavingMidStreamStopsItsGeneration() throws Exception {
    long before = server.stoppedEarly();
    String body = "{\"prompt\": \"" + PROMPT + "\", \"tokens\": 10000, \"seed\": 3}";
    try (Socket socket = new Socket("127.0.0.1", server.uri().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/sample HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
          + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
      assertEquals(3, ServeClient.events(in, 3).size());
      assertEquals(1, server.generating(), "generating while the client reads");
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while ((server.generating() > 0 || server.busyThreads() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, server.generating(), "the generation stopped");
    assertEquals(0, server.busyThreads(), "no request thread left busy");
    assertEquals(before + 1, server.stoppedEarly(), "it stopped before its 10000th token");
  }

  private static String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.uri().getPort())) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = ServeClient.JSON.readTree(r.body());
    assertTrue(body.has("error"), r.body());
    assertTrue(body.get("error").asText().contains(message), "\"" + message + "\" not in " + r.body());
  }
}
