package minitransformer.training.serve;

import static minitransformer.training.serve.ServePageBrowserTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.training.TinyRuns;
import minitransformer.training.TrainedModel;
import minitransformer.training.cli.CliRun;
import minitransformer.training.viz.HeadlessChromium;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page of a followed run in headless Chromium, against a short real run: opened on the run's first
 * checkpoint, it shows the later checkpoint and a longer loss curve as the run trains on, without a reload,
 * and its next-token bars come from the new checkpoint. Keeps target/browser/live-run.png.
 */
@Tag("browser")
class LiveRunBrowserTest {
  private static final String BARS =
      "Array.from(document.querySelectorAll('.bar-row')).map(r => r.dataset.token + ' ' + r.dataset.probability).join('|')";

  @TempDir Path dir;

  @Test
  void thePageMovesWithTheRun() throws Exception {
    assertTrue(Files.isExecutable(HeadlessChromium.BINARY), HeadlessChromium.BINARY + " is missing: apt-get install -y chromium");
    Path config = TinyRuns.write(dir, "");
    assertEquals(0, CliRun.of("train", "--quiet", "--config", config.toString()).exit());
    Path run = dir.resolve("runs").resolve("tiny");
    try (ExplorerServer server = ExplorerServer.start(TrainedModel.load(run), "127.0.0.1", 0, 1);
        HeadlessChromium chromium = HeadlessChromium.start(1200, 900)) {
      server.follow(run);
      chromium.open(server.uri().toString());
      waitFor(chromium, "document.getElementById('checkpoint').textContent", s -> s.contains("step 6 "));
      assertTrue(chromium.evaluate("document.getElementById('checkpoint').textContent").asText()
          .contains("following the run"));
      int pointsBefore = curvePoints(chromium);
      chromium.evaluate("(() => { const p = document.getElementById('prompt'); p.value = 'ab';"
          + " p.dispatchEvent(new Event('input')); })()");
      waitFor(chromium, BARS, s -> !s.isEmpty());
      String barsBefore = chromium.evaluate(BARS).asText();

      CliRun resumed = CliRun.of("train", "--quiet", "--resume", run.toString(),
          "--set", "training.max_iters=30", "--set", "training.lr_decay_iters=30");
      assertEquals(0, resumed.exit(), resumed.err());

      waitFor(chromium, "document.getElementById('checkpoint').textContent", s -> s.contains("step 30 "));
      waitFor(chromium, "String(document.querySelector('#curve polyline').getAttribute('points').split(' ').length)",
          s -> Integer.parseInt(s) > pointsBefore);
      waitFor(chromium, "document.getElementById('final').textContent", s -> s.contains("step 30"));
      waitFor(chromium, BARS, s -> !s.isEmpty() && !s.equals(barsBefore)); // the new checkpoint's predictions
      Path out = Path.of("target", "browser").toAbsolutePath();
      Files.createDirectories(out);
      Files.write(out.resolve("live-run.png"), chromium.screenshot());
    }
  }

  private static int curvePoints(HeadlessChromium chromium) throws Exception {
    return chromium.evaluate("document.querySelector('#curve polyline').getAttribute('points').split(' ').length").asInt();
  }
}
