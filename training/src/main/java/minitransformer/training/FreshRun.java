package minitransformer.training;

import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.config.Config;

/**
 * Where a new run of a config goes, so that a new run never touches an earlier one: its own run directory
 * (run.out_dir/run.name) when that holds no checkpoint yet, else the first of NAME-2, NAME-3, ... that holds
 * none. {@code train} without {@code --run} and {@link Training#train} both start runs this way.
 */
public final class FreshRun {
  private FreshRun() {}

  /** The config itself when its run directory is free, else the same config under the first free NAME-k. */
  public static Config of(Config config) {
    if (!CheckpointStore.holdsCheckpoints(config.runDirectory())) {
      return config;
    }
    String base = config.run().name();
    for (int k = 2; ; k++) {
      Config candidate = config.withRunName(base + "-" + k);
      if (!CheckpointStore.holdsCheckpoints(candidate.runDirectory())) {
        return candidate;
      }
    }
  }
}
