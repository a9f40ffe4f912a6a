package minitransformer.training.config;

import minitransformer.datasets.IoReason;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a YAML config file and {@code --set section.key=value} overrides into a {@link Config}.
 * Every error is a {@link ConfigException} of one line that starts with the file (or the override)
 * and names the key and the value.
 *
 * <p>Relative paths in a file resolve against the file's directory; relative paths given with
 * {@code --set} resolve against the working directory. A missing {@code run.name} is the file's
 * name without extension; a missing {@code run.out_dir} is {@code checkpoints} in the working
 * directory; a missing {@code training.lr_decay_iters} is {@code training.max_iters}.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** Duplicate keys are errors: otherwise the later value silently wins over the one the user reads first. */
  private static final YAMLMapper READER =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** On resume only these may change: the architecture and tokenizer come from the checkpoint. */
  private static final Set<String> RESUMABLE_SECTIONS = Set.of(Schema.TRAINING, Schema.RUN);

  private static final Set<Key> RESUMABLE_KEYS = Set.of(Schema.PATH);

  public static Config load(Path file, List<String> overrides) {
    return load(file, overrides, InitialModel.UNAVAILABLE);
  }

  /** As {@link #load(Path, List)}; a training.init_from is read through initial ({@link InitialKeys}). */
  public static Config load(Path file, List<String> overrides, InitialModel initial) {
    String yaml = read(file);
    Path directory = file.toAbsolutePath().getParent();
    String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    return fromYaml(yaml, file.toString(), directory, name, overrides, initial);
  }

  /**
   * @param source the name of the text in messages (the file as the user gave it)
   * @param baseDir what relative paths in the text resolve against
   * @param defaultName run.name when the text has none
   */
  public static Config fromYaml(
      String yaml, String source, Path baseDir, String defaultName, List<String> overrides) {
    return fromYaml(yaml, source, baseDir, defaultName, overrides, InitialModel.UNAVAILABLE);
  }

  /** As above; initial reads the checkpoint of a training.init_from (null: the keys are taken as they are). */
  public static Config fromYaml(String yaml, String source, Path baseDir, String defaultName,
      List<String> overrides, InitialModel initial) {
    Values values = Values.defaults();
    Map<Key, String> origins = new HashMap<>();
    values.set(Schema.NAME, TextNode.valueOf(defaultName), baseDir);
    values.set(Schema.OUT_DIR, TextNode.valueOf("checkpoints"), Path.of("").toAbsolutePath());
    readDocument(yaml, source, baseDir, values, origins);
    for (String override : overrides) {
      applyOverride(override, values, origins);
    }
    if (values.has(Schema.VOCAB_SIZE)) {
      throw new ConfigException(origins.getOrDefault(Schema.VOCAB_SIZE, source) + ": " + Schema.VOCAB_SIZE.path()
          + " is only for describing an architecture without a corpus (params --config); a run's vocabulary"
          + " size comes from its tokenizer, so remove the key to train (a BPE tokenizer's size is data.vocab_size)");
    }
    if (initial != null) {
      InitialKeys.apply(values, origins, source, initial);
    }
    try {
      return Config.from(values);
    } catch (InvalidValueException e) {
      String origin =
          e.involvedKeys().stream()
              .map(origins::get)
              .filter(o -> o != null && o.startsWith("--set"))
              .reduce((first, later) -> later) // the last override that took part
              .orElse(origins.getOrDefault(e.key(), source));
      throw new ConfigException(origin + ": " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw new ConfigException(source + ": " + e.getMessage(), e);
    }
  }

  /**
   * The architecture a config file describes, without reading its corpus: the model section (checked
   * as for training) and {@code model.vocab_size} when the file gives it. Other sections are checked
   * for unknown keys and types, but data.path may be absent. For {@code params --config}.
   */
  public static ModelArchitecture loadArchitecture(Path file) {
    String yaml = read(file);
    String source = file.toString();
    Values values = Values.defaults();
    Map<Key, String> origins = new HashMap<>();
    readDocument(yaml, source, file.toAbsolutePath().getParent(), values, origins);
    try {
      ModelSection model = ModelSection.from(values);
      if (!values.has(Schema.VOCAB_SIZE)) {
        return new ModelArchitecture(model, java.util.OptionalInt.empty());
      }
      int vocabSize = values.integer(Schema.VOCAB_SIZE);
      Check.atLeast(Schema.VOCAB_SIZE, vocabSize, 1);
      return new ModelArchitecture(model, java.util.OptionalInt.of(vocabSize));
    } catch (InvalidValueException e) {
      throw new ConfigException(source + ": " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw new ConfigException(source + ": " + e.getMessage(), e);
    }
  }

  /**
   * The config of a resumed run: its checkpoint's resolved config with overrides that may only
   * change loop settings ({@code training.*}, {@code run.*} and {@code data.path}).
   */
  public static Config forResume(String resolvedYaml, String source, List<String> overrides) {
    for (String override : overrides) {
      Key key = parseOverride(override).key();
      if (!RESUMABLE_SECTIONS.contains(key.section()) && !RESUMABLE_KEYS.contains(key) || key == Schema.INIT_FROM) {
        throw new ConfigException(
            "--set "
                + override
                + ": "
                + key.path()
                + " cannot change on resume (the architecture and the tokenizer come from the"
                + " checkpoint; only training.* (not training.init_from), run.* and data.path may change)");
      }
    }
    List<String> all = new ArrayList<>();
    if (!hasKey(resolvedYaml, Schema.WORKERS)) {
      // Written before training.workers existed, when every step was one graph's: resumes exactly.
      all.add(Schema.WORKERS.path() + "=1");
    }
    all.addAll(overrides);
    // a fine-tune's resolved model keys are already its checkpoint's (cropped): taken as they are
    return fromYaml(resolvedYaml, source, Path.of("").toAbsolutePath(), "run", all, null);
  }

  /**
   * One key's value as a config's text holds it, without checking the rest of the text: for a reader
   * that only shows it (the server's model card shows run.prompts). Empty when the text cannot be read
   * or does not hold the key.
   */
  public static Optional<JsonNode> rawValue(String yaml, Key key) {
    try {
      JsonNode root = READER.readTree(yaml);
      return root == null ? Optional.empty() : Optional.ofNullable(root.path(key.section()).get(key.name()));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private static boolean hasKey(String yaml, Key key) {
    try {
      JsonNode root = READER.readTree(yaml);
      return root != null && root.path(key.section()).has(key.name());
    } catch (JsonProcessingException e) {
      return true; // fromYaml reports it
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such config file");
    } catch (CharacterCodingException e) {
      throw new ConfigException(file + ": not valid UTF-8 (save the config file as UTF-8)");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read it (" + IoReason.of(e) + ")");
    }
  }

  private static void readDocument(
      String yaml, String source, Path baseDir, Values values, Map<Key, String> origins) {
    JsonNode root;
    try {
      root = READER.readTree(yaml);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new ConfigException(
          source + ": not valid YAML" + where + " (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new ConfigException(
          source + ": expected sections " + String.join(", ", Schema.SECTIONS) + ", got " + Values.render(root));
    }
    for (Iterator<Map.Entry<String, JsonNode>> sections = root.fields(); sections.hasNext(); ) {
      Map.Entry<String, JsonNode> section = sections.next();
      if (!Schema.SECTIONS.contains(section.getKey())) {
        throw new ConfigException(source + ": " + unknown(section.getKey()));
      }
      if (section.getValue().isNull()) {
        continue;
      }
      if (!section.getValue().isObject()) {
        throw new ConfigException(
            source + ": " + section.getKey() + " must be a section of keys, got " + Values.render(section.getValue()));
      }
      for (Iterator<Map.Entry<String, JsonNode>> keys = section.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = keys.next();
        String path = section.getKey() + "." + entry.getKey();
        Key key = Schema.find(path).orElseThrow(() -> new ConfigException(source + ": " + unknown(path)));
        try {
          values.set(key, entry.getValue(), baseDir);
        } catch (ConfigException e) {
          throw new ConfigException(source + ": " + e.getMessage(), e);
        }
        origins.put(key, source);
      }
    }
  }

  private record Override(Key key, String text) {}

  private static Override parseOverride(String override) {
    int equals = override.indexOf('=');
    if (equals <= 0) {
      throw new ConfigException("--set " + override + ": expected section.key=value");
    }
    String path = override.substring(0, equals).trim();
    if (Schema.SECTIONS.contains(path)) {
      throw new ConfigException("--set " + override + ": " + path + " is a section; expected section.key=value");
    }
    Key key =
        Schema.find(path)
            .orElseThrow(() -> new ConfigException("--set " + override + ": " + unknown(path)));
    return new Override(key, override.substring(equals + 1));
  }

  private static void applyOverride(String override, Values values, Map<Key, String> origins) {
    Override parsed = parseOverride(override);
    Key key = parsed.key();
    String origin = "--set " + override;
    JsonNode node;
    if (key.type() == Key.Type.STRING || key.type() == Key.Type.PATH) {
      node = TextNode.valueOf(parsed.text()); // taken literally: a prompt may contain ": " or "#"
    } else {
      try {
        node = READER.readTree(parsed.text());
      } catch (JsonProcessingException e) {
        node = TextNode.valueOf(parsed.text());
      }
      if (node == null) {
        node = MissingNode.getInstance();
      }
    }
    try {
      values.set(key, node, Path.of("").toAbsolutePath());
    } catch (ConfigException e) {
      throw new ConfigException(origin + ": " + e.getMessage(), e);
    }
    origins.put(key, origin);
  }

  private static String unknown(String path) {
    String what = path.contains(".") ? "key" : "section";
    return path
        + " is not a known "
        + what
        + Schema.suggest(path).map(s -> " (did you mean " + s + "?)").orElse("")
        + (path.contains(".") ? "" : " (sections: " + String.join(", ", Schema.SECTIONS) + ")");
  }
}
