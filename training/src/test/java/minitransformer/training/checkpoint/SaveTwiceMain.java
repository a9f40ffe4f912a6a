package minitransformer.training.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import minitransformer.training.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Run by {@link RealFullDiskTest} inside a private mount namespace whose run directory is a small
 * tmpfs: saves step 1 (fits), then step 2 (does not), and reports what the disk holds afterwards,
 * since the tmpfs disappears with the process.
 */
public final class SaveTwiceMain {
  public static void main(String[] args) throws Exception {
    Path run = Path.of(args[0]).resolve("run");
    CheckpointStore store = new CheckpointStore(run, 3, w -> System.out.println("warning: " + w));
    TrainingState first = bigState(1);
    store.save(first, true);
    System.out.println("saved step 1");
    try {
      store.save(bigState(2), false);
      System.out.println("saved step 2");
    } catch (CheckpointException e) {
      System.out.println("error: " + e.getMessage());
    }
    try (Stream<Path> entries = Files.list(run)) {
      entries.map(p -> p.getFileName().toString()).sorted().forEach(n -> System.out.println("entry " + n));
    }
    System.out.println("latest " + Files.readString(run.resolve("latest")).strip());
    TrainingState loaded = CheckpointStore.load(run, w -> System.out.println("warning: " + w));
    Checkpoints.assertSameState(first, loaded);
    System.out.println("loaded step " + loaded.step() + " bit-exact");
  }

  /** About 256 kB of parameters and 512 kB of moments. */
  static TrainingState bigState(long step) {
    Nd4j.getRandom().setSeed(step);
    Map<String, INDArray> parameters = new LinkedHashMap<>();
    Map<String, INDArray> moments = new LinkedHashMap<>();
    for (String name : new String[] {"wte", "h0/attn/W_Q"}) {
      INDArray p = Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 128, 256);
      parameters.put(name, p);
      moments.put("m/" + name, p.mul(0.1));
      moments.put("v/" + name, p.mul(p));
    }
    return new TrainingState(step, step, Checkpoints.TINY_MODEL, "model: {}\n", "{}", 1, 2, 3, Double.NaN, 1.0, Double.NaN, parameters,
        moments, step, Optimizer.Kind.ADAMW);
  }
}
