package minitransformer.training.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resolved run config: the four sections, every value checked, every path absolute. Made by
 * {@link ConfigLoader}; written back with {@link #toYaml()} into the run directory and checkpoints.
 */
public record Config(ModelSection model, DataSection data, TrainingSection training, RunSection run) {

  private static final YAMLMapper WRITER =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build();

  public Config {
    if (model == null || data == null || training == null || run == null) {
      throw new IllegalArgumentException("every config section is required");
    }
  }

  static Config from(Values v) {
    return new Config(
        ModelSection.from(v), DataSection.from(v), TrainingSection.from(v), RunSection.from(v));
  }

  /** The resolved config as YAML that {@link ConfigLoader#fromYaml} reads back into an equal config. */
  public String toYaml() {
    Map<String, Map<String, Object>> document = new LinkedHashMap<>();
    document.put(Schema.MODEL, section(model.values()));
    document.put(Schema.DATA, section(data.values()));
    document.put(Schema.TRAINING, section(training.values()));
    document.put(Schema.RUN, section(run.values()));
    try {
      return "# Resolved config: every key, defaults filled in, paths absolute.\n"
          + WRITER.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the config as YAML", e);
    }
  }

  private static Map<String, Object> section(Map<Key, Object> values) {
    Map<String, Object> section = new LinkedHashMap<>();
    values.forEach(
        (key, value) -> section.put(key.name(), value instanceof Path p ? p.toString() : value));
    return section;
  }

  /** This config with another run name, so another run directory under the same run.out_dir. */
  public Config withRunName(String name) {
    return new Config(model, data, training, run.named(name));
  }

  /** The run's own directory, outDir/name. */
  public Path runDirectory() {
    return run.runDirectory();
  }

  /** The keys whose values differ between two configs (for resume checks and messages). */
  public List<Key> differences(Config other) {
    Map<Key, Object> mine = all();
    Map<Key, Object> theirs = other.all();
    return Schema.keys().stream().filter(k -> !java.util.Objects.equals(mine.get(k), theirs.get(k))).toList();
  }

  /** The value of one key (a path as a {@link Path}). */
  public Object value(Key key) {
    return all().get(key);
  }

  private Map<Key, Object> all() {
    Map<Key, Object> all = new LinkedHashMap<>();
    all.putAll(model.values());
    all.putAll(data.values());
    all.putAll(training.values());
    all.putAll(run.values());
    return all;
  }
}
