package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import minitransformer.training.SmallTmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ENOSPC: the run directory is a 1 MiB tmpfs mounted in a user + mount namespace
 * ({@code unshare -rm}, no root needed where unprivileged user namespaces are allowed); skipped
 * where that is not possible. The first checkpoint (~770 kB) fits, the second does not.
 */
class RealFullDiskTest {
  @TempDir Path tmp;

  @Test
  void aRealFullDiskKeepsThePreviousCheckpointAndSaysSo() throws Exception {
    SmallTmpfs.assumeMountable();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String script = "mount -t tmpfs -o size=1m tmpfs \"$0\" && exec \"$1\" -cp \"$2\" "
        + SaveTwiceMain.class.getName() + " \"$0\"";
    Process p = new ProcessBuilder("unshare", "-rm", "sh", "-c", script, tmp.toString(), java,
        System.getProperty("java.class.path"))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);

    List<String> lines = out.lines().filter(l -> !l.startsWith("SLF4J")).toList();
    assertTrue(lines.contains("saved step 1"), out);
    String error = lines.stream().filter(l -> l.startsWith("error: ")).findFirst().orElse("no error line:\n" + out);
    assertTrue(error.contains("the disk is full (") && error.contains("No space left on device"), error);
    assertTrue(lines.contains("entry step-000001"), out);
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("entry step-000002") || l.startsWith("entry .tmp")), out);
    assertTrue(lines.contains("latest step-000001"), out);
    assertTrue(lines.contains("loaded step 1 bit-exact"), out);
  }
}
