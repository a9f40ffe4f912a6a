package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import minitransformer.training.SmallTmpfs;
import minitransformer.training.TinyRuns;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, item 5: {@code train --resume} on a really full disk (a tmpfs in a user + mount namespace, as
 * RealFullDiskTest does it, filled up to 0, 1 or 2 free pages) exits with 2 and one error line, leaves no
 * temporary file, and leaves config.yaml whole and the checkpoints and the latest marker as they were. Before,
 * config.yaml was rewritten in place and the metrics log's rewrite failed with exit 1 and left
 * metrics.jsonl.tmp behind.
 */
class ResumeOnFullDiskTest {
  @TempDir Path tmp;

  private static final String SCRIPT = String.join("\n",
      "mnt=\"$0\"; java=\"$1\"; cp=\"$2\"; src=\"$3\"; free=\"$4\"",
      "mount -t tmpfs -o size=4m tmpfs \"$mnt\" || exit 99",
      "cp -r \"$src\" \"$mnt/tiny\"",
      "dd if=/dev/zero of=\"$mnt/filler\" bs=4k 2>/dev/null",
      "[ \"$free\" -gt 0 ] && truncate -s -$((free * 4096)) \"$mnt/filler\"",
      "\"$java\" -cp \"$cp\" " + Main.class.getName() + " train --quiet --resume \"$mnt/tiny\""
          + " --set training.max_iters=12",
      "echo \"exit $?\"",
      "for f in $(ls -A \"$mnt/tiny\"); do echo \"entry $f\"; done",
      "echo \"latest $(cat \"$mnt/tiny/latest\")\"",
      "echo \"config ends $(tail -n 1 \"$mnt/tiny/config.yaml\")\"");

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void resumingOnAFullDiskExitsWith2InOneLineAndLeavesNoTemporaryFile(int freePages) throws Exception {
    SmallTmpfs.assumeMountable();
    Path config = TinyRuns.write(tmp, "");
    CliRun trained = CliRun.of("train", "--quiet", "--config", config.toString());
    assertEquals(0, trained.exit(), trained.err());
    Path mountPoint = java.nio.file.Files.createDirectories(tmp.resolve("mnt"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder("unshare", "-rm", "sh", "-c", SCRIPT, mountPoint.toString(), java,
        System.getProperty("java.class.path"), tmp.resolve("runs/tiny").toString(), String.valueOf(freePages))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), out);

    List<String> lines = out.lines().filter(l -> !l.startsWith("SLF4J")).toList();
    assertTrue(lines.contains("exit 2"), out);
    List<String> errors = lines.stream().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), out);
    assertTrue(errors.get(0).contains("No space left on device"), errors.get(0));
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Exception in thread")), out);
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("entry ") && l.contains("tmp")), "a temporary file:\n" + out);
    assertTrue(lines.contains("entry step-000006") && lines.contains("latest step-000006"), out);
    // config.yaml is the old file or the new one (with --set training.max_iters=12), whole either way
    assertTrue(lines.stream().anyMatch(l -> l.matches("config ends # vocab_size: \\d+ \\(from the data\\)")),
        "config.yaml cut short:\n" + out);
  }
}
