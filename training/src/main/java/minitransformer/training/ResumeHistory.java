package minitransformer.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import minitransformer.training.checkpoint.AtomicText;
import minitransformer.training.checkpoint.CheckpointMeta;
import minitransformer.training.config.Config;
import minitransformer.training.config.ConfigException;
import minitransformer.training.config.ConfigLoader;
import minitransformer.training.config.Key;
import minitransformer.training.config.Schema;

/**
 * What a resume changed, said and kept. The settings a resume changes (--set: loop settings only; the
 * architecture is refused before this) are listed one line per key, old → new, against the config the
 * checkpoint was saved with. The run keeps its history: {@value #ORIGINAL_FILE} is the run's config.yaml
 * as it was before the first resume that changed anything (never rewritten), and each resume appends one
 * JSON line to {@value #FILE}: the step and checkpoint it resumed from, when, and each changed key's old
 * and new value. config.yaml itself always holds the settings in force.
 */
public final class ResumeHistory {
  /** One line per resume. */
  public static final String FILE = "resumes.jsonl";

  /** The run's config before its first resume that changed a setting. */
  public static final String ORIGINAL_FILE = "config.original.yaml";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One changed key. */
  public record Change(Key key, Object old, Object now) {
    /** "training.learning_rate: 0.001 → 0.01" */
    public String line() {
      return key.path() + ": " + old + " → " + now;
    }
  }

  private ResumeHistory() {}

  /** The keys whose values differ between the checkpoint's config and the resumed run's. */
  public static List<Change> changes(TrainingRun run) {
    Path checkpoint = run.resumedFrom();
    if (checkpoint == null) {
      return List.of();
    }
    String savedYaml = CheckpointMeta.configYaml(checkpoint);
    if (savedYaml.isEmpty()) {
      return List.of();
    }
    Config now = run.config();
    Config saved;
    try {
      saved = ConfigLoader.forResume(savedYaml, checkpoint.toString(), List.of());
    } catch (ConfigException e) {
      // a checkpoint made by import names no corpus (the resume's --set data.path gives one): compare the rest
      saved = ConfigLoader.forResume(savedYaml, checkpoint.toString(),
          List.of(Schema.PATH.path() + "=" + now.data().path()));
    }
    List<Change> changes = new ArrayList<>();
    for (Key key : saved.differences(now)) {
      changes.add(new Change(key, saved.value(key), now.value(key)));
    }
    return changes;
  }

  /**
   * Records a resume in the run directory, before its config.yaml is rewritten: keeps the original config
   * when this resume changes settings and none was kept yet, and appends this resume's line.
   */
  public static void record(TrainingRun run, List<Change> changes) {
    Path dir = run.runDirectory();
    try {
      Path original = dir.resolve(ORIGINAL_FILE);
      Path current = dir.resolve(TrainingRun.CONFIG_FILE);
      if (!changes.isEmpty() && !Files.exists(original) && Files.isRegularFile(current)) {
        AtomicText.write(original, Files.readString(current, StandardCharsets.UTF_8));
      }
      ObjectNode line = JSON.createObjectNode();
      line.put("step", run.state().step());
      line.put("from", run.resumedFrom().getFileName().toString());
      line.put("time", Instant.now().toString());
      ObjectNode changed = line.putObject("changes");
      for (Change c : changes) {
        ObjectNode values = changed.putObject(c.key().path());
        values.set("old", JSON.valueToTree(c.old() instanceof Path p ? p.toString() : c.old()));
        values.set("new", JSON.valueToTree(c.now() instanceof Path p ? p.toString() : c.now()));
      }
      Files.writeString(dir.resolve(FILE), JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the resume in " + dir.resolve(FILE), e);
    }
  }
}
