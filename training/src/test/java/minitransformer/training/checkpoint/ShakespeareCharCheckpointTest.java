package minitransformer.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.optim.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The checkpoint of the shakespeare-char model (4 layers, 4 heads, width 128, block 64, vocab 65):
 * its size is the float32 bytes of the parameters and both moments plus small headers, and it
 * round-trips exactly. Prints the sizes and the save and load times.
 */
class ShakespeareCharCheckpointTest {
  @TempDir Path tmp;

  @Test
  void sizeAndTimesOfTheShakespeareCharCheckpoint() throws IOException {
    GPTConfig config = new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0);
    GPT gpt = GPT.create(config, 1337);
    Map<String, INDArray> moments = new LinkedHashMap<>();
    Nd4j.getRandom().setSeed(3);
    gpt.parameters().forEach((name, p) -> {
      moments.put("m/" + name, Nd4j.randn(p.dataType(), p.shape()).muli(1e-3));
      moments.put("v/" + name, Nd4j.rand(p.dataType(), p.shape()).muli(1e-6));
    });
    TrainingState state = new TrainingState(2000, 2000L * 12 * 64, gpt.config(), "model:\n  n_layer: 4\n", "{}", 1, 2, 3, 1.47,
        1.2, 1.47, gpt.parameters(), moments, 2000, Optimizer.Kind.ADAMW);
    long n = state.parameterCount();
    CheckpointStore store = new CheckpointStore(tmp.resolve("run"), 2, w -> {});

    int repeats = 5;
    long[] saveNanos = new long[repeats];
    long[] loadNanos = new long[repeats];
    Path dir = null;
    TrainingState loaded = null;
    for (int i = 0; i < repeats; i++) {
      TrainingState s = new TrainingState(2000 + i, state.tokensSeen(), state.model(), state.resolvedConfigYaml(),
          state.tokenizerJson(), 1, 2, 3, 1.47, 1.2, 1.47, state.parameters(), state.optimizerState(), 2000 + i, Optimizer.Kind.ADAMW);
      long t0 = System.nanoTime();
      dir = store.save(s, false);
      long t1 = System.nanoTime();
      loaded = CheckpointStore.load(dir, w -> {});
      long t2 = System.nanoTime();
      saveNanos[i] = t1 - t0;
      loadNanos[i] = t2 - t1;
    }
    long model = Files.size(dir.resolve(CheckpointStore.MODEL_FILE));
    long optimizer = Files.size(dir.resolve(CheckpointStore.OPTIMIZER_FILE));
    long meta = Files.size(dir.resolve(CheckpointStore.META_FILE));
    System.out.printf("shakespeare-char checkpoint: %,d parameters; model.npz %,d B, optimizer.npz %,d B,"
            + " meta.json %,d B, total %,d B; save median %.0f ms, load (with SHA-256 check) median %.0f ms%n",
        n, model, optimizer, meta, model + optimizer + meta, median(saveNanos) / 1e6, median(loadNanos) / 1e6);

    long arrays = gpt.parameters().size();
    assertTrue(model >= 4 * n && model < 4 * n + 300 * arrays, "model.npz " + model + " B for " + n + " floats");
    assertTrue(optimizer >= 8 * n && optimizer < 8 * n + 600 * arrays, "optimizer.npz " + optimizer + " B");
    Checkpoints.assertSameArrays(gpt.parameters(), loaded.parameters());
    Checkpoints.assertSameArrays(moments, loaded.optimizerState());
    assertEquals(2, Files.list(tmp.resolve("run")).filter(p -> p.getFileName().toString().startsWith("step-")).count());
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
