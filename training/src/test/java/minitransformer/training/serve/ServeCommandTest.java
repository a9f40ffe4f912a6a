package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.training.cli.CliRun;
import minitransformer.training.cli.Main;
import minitransformer.training.cli.TinyTrainedModel;
import org.junit.jupiter.api.Test;

/** {@code serve} as a user runs it: one-line errors, the printed URL, and Ctrl-C shutting it down. */
class ServeCommandTest {
  @Test
  void badOptionsAreOneErrorLine() throws Exception {
    String run = TinyTrainedModel.run().toString();
    CliRun.of("serve", "--checkpoint", run, "--port", "70000").assertOneErrorLine("--port (70000)");
    CliRun.of("serve", "--checkpoint", run, "--workers", "0").assertOneErrorLine("--workers (0)");
    CliRun.of("serve", "--checkpoint", "/nonexistent/run").assertOneErrorLine("/nonexistent/run");
    try (ServerSocket taken = new ServerSocket(0)) {
      CliRun.of("serve", "--checkpoint", run, "--port", String.valueOf(taken.getLocalPort()))
          .assertOneErrorLine("--port " + taken.getLocalPort() + ": cannot listen there");
    }
  }

  @Test
  void servesUntilCtrlCThenStopsCleanly() throws Exception {
    Path run = TinyTrainedModel.run();
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--checkpoint", run.toString(), "--port", "0"))
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Pattern serving = Pattern.compile("serving .* at (http://127\\.0\\.0\\.1:\\d+/)");
      URI uri = null;
      StringBuilder seen = new StringBuilder();
      for (String line; uri == null && (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = serving.matcher(line);
        if (m.find()) {
          uri = URI.create(m.group(1));
        }
      }
      assertTrue(uri != null, "no URL printed:\n" + seen);
      ServeClient client = new ServeClient(uri);
      assertEquals(200, client.get("/api/model").statusCode());
      assertEquals(200, client.post("/api/predict", "{\"prompt\": \"the apple\"}").statusCode());

      new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server exits after Ctrl-C");
      String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(130, p.exitValue(), rest);
      assertTrue(rest.contains("stopped"), rest);
      assertTrue(!rest.contains("Exception"), rest);
    } finally {
      p.destroyForcibly();
    }
  }
}
