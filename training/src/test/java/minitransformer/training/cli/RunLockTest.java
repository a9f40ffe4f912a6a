package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import minitransformer.training.TinyRuns;
import minitransformer.training.checkpoint.RunLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per run directory: while another process holds the run's lock (as a process that trains it
 * does), a second train of the same run, new or resumed, gets one line and exit 2 and writes nothing;
 * a reader (predict) is not blocked; and the lock of a process killed with SIGKILL does not block the
 * next start.
 */
class RunLockTest {
  @TempDir Path dir;

  @Test
  void aSecondTrainOfARunInUseIsRefusedAndAKilledHoldersLockDoesNotBlock() throws Exception {
    Path config = TinyRuns.write(dir, "");
    CliRun first = CliRun.of("train", "--quiet", "--config", config.toString(), "--run", "twin");
    assertEquals(0, first.exit(), first.err());
    Path run = dir.resolve("runs/twin");
    byte[] metrics = Files.readAllBytes(run.resolve("metrics.jsonl"));

    Process holder = LockHolder.start(run.resolve(RunLock.FILE));
    try {
      CliRun resumed = CliRun.of("train", "--resume", run.toString(), "--set", "training.max_iters=9");
      resumed.assertOneErrorLine("is being trained by another process");
      CliRun again = CliRun.of("train", "--config", config.toString(), "--run", "twin");
      again.assertOneErrorLine("is being trained by another process");
      CliRun checkpoint = CliRun.of("train", "--resume", run.resolve("step-000006").toString(),
          "--set", "training.max_iters=9");
      checkpoint.assertOneErrorLine("is being trained by another process");
      assertEquals(new String(metrics), Files.readString(run.resolve("metrics.jsonl")), "nothing written");
      assertFalse(Files.exists(run.resolve("step-000009")));

      CliRun reader = CliRun.of("predict", "--checkpoint", run.toString(), "--prompt", "ab");
      assertEquals(0, reader.exit(), "readers take no lock: " + reader.err());
    } finally {
      holder.destroyForcibly(); // SIGKILL: the process cannot clean up; the OS drops its lock
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    CliRun after = CliRun.of("train", "--quiet", "--resume", run.toString(), "--set", "training.max_iters=9");
    assertEquals(0, after.exit(), after.err());
    assertEquals("step-000009", Files.readString(run.resolve("latest")).trim());
    CliRun sameJvmAgain = CliRun.of("train", "--quiet", "--resume", run.toString(), "--set", "training.max_iters=12");
    assertEquals(0, sameJvmAgain.exit(), "a finished train released its lock: " + sameJvmAgain.err());
  }

  @Test
  void aRunRefusedBeforeItBeganLeavesNoDirectory() throws Exception {
    Path config = TinyRuns.write(dir, "");
    CliRun bad = CliRun.of("train", "--config", config.toString(), "--run", "nodata", "--set",
        "data.path=" + dir.resolve("missing.txt"));
    assertEquals(2, bad.exit(), bad.err());
    assertFalse(Files.exists(dir.resolve("runs/nodata")), "no empty run directory with only its lock");
  }
}
