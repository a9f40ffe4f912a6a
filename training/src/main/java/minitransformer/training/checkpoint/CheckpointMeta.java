package minitransformer.training.checkpoint;

import java.nio.file.Path;

/** What a checkpoint directory's meta.json says, read without opening any array file. */
public final class CheckpointMeta {
  private CheckpointMeta() {}

  /** The resolved config a checkpoint was saved with (its meta.json's config_yaml). */
  public static String configYaml(Path checkpointDirectory) {
    MetaJson.Meta meta = MetaJson.read(checkpointDirectory.resolve(CheckpointStore.META_FILE));
    return meta.node().path("config_yaml").asText("");
  }

  /** The format version of a checkpoint directory's meta.json (older versions still load). */
  public static long formatVersion(Path checkpointDirectory) {
    return MetaJson.read(checkpointDirectory.resolve(CheckpointStore.META_FILE)).version();
  }
}
