package minitransformer.training.checkpoint;

import static minitransformer.training.checkpoint.CheckpointStore.LATEST_MARKER;
import static minitransformer.training.checkpoint.CheckpointStore.META_FILE;
import static minitransformer.training.checkpoint.CheckpointStore.TEMP_PREFIX;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which checkpoint a path means, for {@link CheckpointStore}: a checkpoint directory itself, or a run
 * directory's checkpoint named by its markers, read from the step directories that are complete (those
 * holding a meta.json), ordered by step number.
 */
final class CheckpointLookup {
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");

  private CheckpointLookup() {}

  /** A checkpoint directory and what opening it gave. */
  record Found<T>(Path directory, T opened) {}

  /**
   * The checkpoint a path means, opened by open (which throws a {@link CheckpointException} for a damaged
   * one): the argument itself if it holds a meta.json, else the run directory's checkpoint named by its
   * {@code latest} marker, or its highest complete step if the marker is missing or names no complete
   * checkpoint; in a run directory, a damaged one gives way to the newest earlier one that opens.
   */
  static <T> Found<T> find(Path checkpointOrRunDirectory, Consumer<String> warnings, Function<Path, T> open) {
    Path path = checkpointOrRunDirectory;
    if (!Files.exists(path)) throw new CheckpointException(path + ": no such checkpoint or run directory");
    if (!Files.isDirectory(path)) {
      throw new CheckpointException(path + ": not a directory (expected a checkpoint or run directory)");
    }
    if (Files.exists(path.resolve(META_FILE))) return new Found<>(path, open.apply(path));
    String fileName = path.getFileName() == null ? "" : path.getFileName().toString();
    if (STEP_DIR.matcher(fileName).matches() || fileName.startsWith(TEMP_PREFIX)) {
      throw new CheckpointException(path.resolve(META_FILE) + ": missing; " + path
          + " is not a complete checkpoint");
    }
    List<Path> complete = completeCheckpoints(path);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(path, TEMP_PREFIX + "*")) {
      for (Path temp : entries) {
        warnings.accept("ignoring " + temp + ": a half-written checkpoint (its save did not finish); it is never loaded");
      }
    } catch (IOException e) {
      throw new CheckpointException(path + ": cannot list (" + DurableFiles.describe(e) + ")", e);
    }
    Optional<String> marker = readMarker(path, LATEST_MARKER);
    if (complete.isEmpty()) {
      throw new CheckpointException(path + ": not a checkpoint or run directory (no " + META_FILE
          + ", no complete step-NNNNNN checkpoint)");
    }
    Path newest = complete.get(complete.size() - 1);
    if (marker.isPresent()) {
      Path named = path.resolve(marker.get());
      if (complete.contains(named)) {
        if (!named.equals(newest)) {
          warnings.accept("the '" + LATEST_MARKER + "' marker names " + named.getFileName() + " but " + newest
              + " is newer (its save was interrupted before the marker); loading the marker's checkpoint");
        }
        return intact(named, complete, warnings, open);
      }
      warnings.accept("the '" + LATEST_MARKER + "' marker names " + marker.get()
          + ", which is not a complete checkpoint; loading the newest complete one, " + newest.getFileName());
    } else if (Files.exists(path.resolve(LATEST_MARKER))) {
      warnings.accept(path.resolve(LATEST_MARKER) + " is unreadable; loading the newest complete checkpoint, "
          + newest.getFileName());
    }
    return intact(newest, complete, warnings, open);
  }

  /**
   * The chosen checkpoint if it opens, else the newest earlier one that does, with a warning that
   * names the damaged one and its damage (nothing is deleted); when none does, the chosen one's error.
   */
  private static <T> Found<T> intact(Path chosen, List<Path> complete, Consumer<String> warnings,
      Function<Path, T> open) {
    CheckpointException damage;
    try {
      return new Found<>(chosen, open.apply(chosen));
    } catch (CheckpointException e) {
      damage = e;
    }
    for (int i = complete.indexOf(chosen) - 1; i >= 0; i--) {
      Path earlier = complete.get(i);
      T opened;
      try {
        opened = open.apply(earlier);
      } catch (CheckpointException e) {
        warnings.accept(earlier + " is damaged too (" + e.getMessage() + ")");
        continue;
      }
      warnings.accept(chosen + " is damaged (" + damage.getMessage() + "); loading the newest intact checkpoint, "
          + earlier.getFileName() + " (the damaged one is left as it is)");
      return new Found<>(earlier, opened);
    }
    throw new CheckpointException(damage.getMessage() + (complete.size() > 1
        ? " (and no earlier checkpoint of " + chosen.getParent() + " is intact)" : ""), damage);
  }

  /** The step directories holding a meta.json, ordered by step number (never by name). */
  static List<Path> completeCheckpoints(Path runDirectory) {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDirectory, "step-*")) {
      for (Path p : entries) {
        if (STEP_DIR.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve(META_FILE))) {
          found.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return found;
    } catch (IOException e) {
      throw new CheckpointException(runDirectory + ": cannot list (" + DurableFiles.describe(e) + ")", e);
    }
    found.sort(Comparator.comparingLong(CheckpointLookup::stepOf));
    return found;
  }

  private static long stepOf(Path stepDirectory) {
    Matcher m = STEP_DIR.matcher(stepDirectory.getFileName().toString());
    if (!m.matches()) throw new IllegalArgumentException("not a step directory: " + stepDirectory);
    return Long.parseLong(m.group(1));
  }

  /** The checkpoint name a marker holds, if the marker exists and holds a step directory name. */
  static Optional<String> readMarker(Path runDirectory, String marker) {
    try {
      String name = Files.readString(runDirectory.resolve(marker), StandardCharsets.UTF_8).strip();
      return STEP_DIR.matcher(name).matches() ? Optional.of(name) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
