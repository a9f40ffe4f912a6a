package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import minitransformer.training.checkpoint.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that run a model never open optimizer.npz (for GPT-2 small it is 1 GB of AdamW moments,
 * zeros after an import): a checkpoint without it, or with a damaged one, still samples, predicts,
 * inspects and counts its parameters the same; resuming still needs it and names it when it is not intact.
 */
class InferenceWithoutOptimizerStateTest {
  @TempDir Path tmp;

  @Test
  void missingOptimizerStateIsNotReadByInferenceButResumeNeedsIt() throws IOException {
    Path run = copyOfTinyRun();
    CliRun sampleBefore = sample(run);
    CliRun predictBefore = predict(run);
    for (Path checkpoint : checkpoints(run)) {
      Files.delete(checkpoint.resolve(CheckpointStore.OPTIMIZER_FILE));
    }
    assertInferenceUnchanged(run, sampleBefore, predictBefore);
    assertResumeRefuses(run, "missing");
  }

  @Test
  void damagedOptimizerStateIsNotReadByInferenceButResumeRefusesIt() throws IOException {
    Path run = copyOfTinyRun();
    CliRun sampleBefore = sample(run);
    CliRun predictBefore = predict(run);
    for (Path checkpoint : checkpoints(run)) {
      Files.writeString(checkpoint.resolve(CheckpointStore.OPTIMIZER_FILE), "not a zip archive at all");
    }
    assertInferenceUnchanged(run, sampleBefore, predictBefore);
    assertResumeRefuses(run, "optimizer.npz");
  }

  @Test
  void damagedWeightsAreStillRefusedByInference() throws IOException {
    Path run = copyOfTinyRun();
    Path checkpoint = CheckpointStore.resolve(run, w -> {});
    Path model = checkpoint.resolve(CheckpointStore.MODEL_FILE);
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(model, bytes);
    CliRun s = sample(checkpoint);
    s.assertOneErrorLine("model.npz");
    assertTrue(s.err().contains("checksum mismatch"), s.err());
  }

  private void assertInferenceUnchanged(Path run, CliRun sampleBefore, CliRun predictBefore) {
    CliRun s = sample(run);
    assertEquals(0, s.exit(), s.err());
    assertEquals(sampleBefore.out(), s.out());
    CliRun p = predict(run);
    assertEquals(0, p.exit(), p.err());
    assertEquals(predictBefore.out(), p.out());
    CliRun inspect = CliRun.of("inspect", "--checkpoint", run.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    assertTrue(inspect.out().contains("model.npz checksum verified"), inspect.out());
    CliRun params = CliRun.of("params", "--checkpoint", run.toString());
    assertEquals(0, params.exit(), params.err());
    CliRun attention = CliRun.of("attention", "--checkpoint", run.toString(), "--prompt", TinyTrainedModel.PROMPT);
    assertEquals(0, attention.exit(), attention.err());
  }

  private void assertResumeRefuses(Path run, String problem) {
    CliRun resume = CliRun.of("train", "--quiet", "--resume", run.toString(), "--set", "training.max_iters=99");
    assertTrue(resume.exit() != 0, resume.out() + resume.err());
    assertTrue(resume.err().contains("optimizer.npz") && resume.err().contains(problem), resume.err());
  }

  /** Every complete checkpoint of the run (a damaged latest one would make loading fall back to another). */
  private static java.util.List<Path> checkpoints(Path run) throws IOException {
    try (Stream<Path> steps = Files.list(run)) {
      return steps.filter(p -> p.getFileName().toString().startsWith("step-")).toList();
    }
  }

  private static CliRun sample(Path run) {
    return CliRun.of("sample", "--checkpoint", run.toString(), "--prompt", "ben", "--tokens", "6", "--seed", "3");
  }

  private static CliRun predict(Path run) {
    return CliRun.of("predict", "--checkpoint", run.toString(), "--prompt", TinyTrainedModel.PROMPT);
  }

  /** The shared tiny run, copied so that damaging it here leaves the other tests' copy intact. */
  private Path copyOfTinyRun() throws IOException {
    Path from = TinyTrainedModel.run();
    Path to = tmp.resolve("run");
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
