package minitransformer.training.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checkpoints of one run directory: checkpoints/RUN/step-000500/ and so on, the {@code latest}
 * and {@code best} markers, which ones are kept, and (with {@link CheckpointLookup}) which one a path
 * means. The only classes that know this layout; see checkpoints/README.md.
 *
 * <p>A checkpoint directory holds {@code model.npz} (every parameter), {@code optimizer.npz} (the
 * AdamW moments {@code m/NAME} and {@code v/NAME}) and {@code meta.json} ({@link MetaJson}).
 *
 * <p>Crash safety ({@link DurableFiles}): a checkpoint is written into {@code .tmp-step-NNNNNN-PID/},
 * every file and the directory are fsynced, and only then is it renamed to {@code step-NNNNNN/}. The
 * markers (one line: the directory name) are replaced by an atomic rename afterwards. A process killed
 * at any moment therefore leaves complete checkpoints, markers that name complete checkpoints (or one
 * that is one save behind), and at most one temporary directory, which loading ignores and reports.
 */
public final class CheckpointStore {
  public static final String FORMAT = MetaJson.FORMAT;
  public static final int FORMAT_VERSION = MetaJson.FORMAT_VERSION;
  public static final String MODEL_FILE = "model.npz";
  public static final String OPTIMIZER_FILE = "optimizer.npz";
  public static final String META_FILE = "meta.json";
  public static final String LATEST_MARKER = "latest";
  public static final String BEST_MARKER = "best";

  static final String TEMP_PREFIX = DurableFiles.TEMP_PREFIX;
  /** Where the public constructors' stores write: the real files, except for a test's slowed-down child process. */
  static volatile ByteSink sinkForNewStores = ByteSink.FILES;

  private final Path runDirectory;
  private final int keepLast;
  private final DurableFiles files;
  private final Consumer<String> warnings;

  /** @param keepLast how many of the newest checkpoints to keep (the best is always kept) */
  public CheckpointStore(Path runDirectory, int keepLast) {
    this(runDirectory, keepLast, CheckpointStore::printWarning);
  }

  /** @param warnings receives one line per thing worth knowing that is not an error (e.g. a leftover removed) */
  public CheckpointStore(Path runDirectory, int keepLast, Consumer<String> warnings) {
    this(runDirectory, keepLast, sinkForNewStores, warnings);
  }

  /** @param sink where the bytes go (tests substitute a full disk) */
  CheckpointStore(Path runDirectory, int keepLast, ByteSink sink, Consumer<String> warnings) {
    if (keepLast < 1) throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
    this.runDirectory = Objects.requireNonNull(runDirectory, "runDirectory");
    this.keepLast = keepLast;
    this.files = new DurableFiles(Objects.requireNonNull(sink, "sink"));
    this.warnings = Objects.requireNonNull(warnings, "warnings");
  }

  public Path runDirectory() {
    return runDirectory;
  }

  /** The directory name of a step: step-000500 (more digits past 999999). */
  public static String stepDirectoryName(long step) {
    return String.format("step-%06d", step);
  }

  /** The checkpoint a run directory's {@code latest} marker names now (empty: no marker yet); reads one small file. */
  public static Optional<String> latestMarker(Path runDirectory) {
    return CheckpointLookup.readMarker(runDirectory, LATEST_MARKER);
  }

  /** Whether a directory already holds checkpoints (complete or not) of an earlier run. */
  public static boolean holdsCheckpoints(Path runDirectory) {
    return firstCheckpoint(runDirectory).isPresent();
  }

  /** Any step directory in runDirectory, complete or not (a fresh run must not mix with them). */
  public static Optional<Path> firstCheckpoint(Path runDirectory) {
    if (!Files.isDirectory(runDirectory)) return Optional.empty();
    try (DirectoryStream<Path> steps = Files.newDirectoryStream(runDirectory, "step-*")) {
      for (Path step : steps) return Optional.of(step);
      return Optional.empty();
    } catch (IOException e) {
      throw new CheckpointException(runDirectory + ": cannot list (" + DurableFiles.describe(e) + ")", e);
    }
  }

  /** Writes a complete checkpoint for state.step(); marks it best when isBest. Returns its directory. */
  public Path save(TrainingState state, boolean isBest) {
    return save(state, isBest, Map.of());
  }

  /**
   * As {@link #save(TrainingState, boolean)}, recording in meta.json's {@code source} object where the
   * model came from (import: {@code format} and {@code path}); an empty map writes no {@code source}.
   */
  public Path save(TrainingState state, boolean isBest, Map<String, String> source) {
    String name = stepDirectoryName(state.step());
    Path target = runDirectory.resolve(name);
    Path temp = DurableFiles.owned(runDirectory, TEMP_PREFIX, name);
    state.parameters().keySet().forEach(Npz::checkName);
    state.optimizerState().keySet().forEach(Npz::checkName);
    try {
      Files.createDirectories(runDirectory);
    } catch (IOException e) {
      throw writeFailure(runDirectory, e);
    }
    DurableFiles.removeLeftoversOfDeadProcesses(runDirectory, warnings);
    try {
      if (Files.exists(temp)) DurableFiles.deleteRecursively(temp);
      Files.createDirectory(temp);
      Map<String, DurableFiles.FileRecord> written = new LinkedHashMap<>();
      written.put(MODEL_FILE, files.write(temp.resolve(MODEL_FILE), out -> Npz.write(out, state.parameters())));
      written.put(OPTIMIZER_FILE,
          files.write(temp.resolve(OPTIMIZER_FILE), out -> Npz.write(out, state.optimizerState())));
      byte[] meta = MetaJson.write(state, written, source);
      files.write(temp.resolve(META_FILE), out -> out.write(meta));
      DurableFiles.fsyncDirectory(temp);
      DurableFiles.moveIntoPlace(temp, target);
      DurableFiles.fsyncDirectory(runDirectory);
    } catch (IOException e) {
      DurableFiles.deleteQuietly(temp);
      throw writeFailure(e instanceof DurableFiles.WriteFailed ? temp : target, e);
    } catch (RuntimeException e) {
      DurableFiles.deleteQuietly(temp);
      throw e;
    }
    writeMarker(LATEST_MARKER, name);
    if (isBest) writeMarker(BEST_MARKER, name);
    removeOldCheckpoints(name);
    return target;
  }

  private static CheckpointException writeFailure(Path file, IOException e) {
    if (e instanceof DurableFiles.WriteFailed w) file = w.file;
    String reason = e instanceof DurableFiles.WriteFailed ? e.getMessage() : DurableFiles.describe(e);
    if (DurableFiles.isDiskFull(e)) {
      return new CheckpointException("cannot write " + file + ": the disk is full (" + reason + "); the checkpoint"
          + " was not saved, its temporary directory was removed, and the previous checkpoints are intact", e);
    }
    return new CheckpointException("cannot write " + file + ": " + reason + "; the checkpoint was not saved and"
        + " the previous checkpoints are intact", e);
  }

  private void writeMarker(String marker, String checkpointName) {
    Path temp = runDirectory.resolve("." + marker + ".tmp-" + DurableFiles.PID);
    try {
      Files.deleteIfExists(temp);
      files.write(temp, out -> out.write((checkpointName + "\n").getBytes(StandardCharsets.UTF_8)));
      DurableFiles.atomicMove(temp, runDirectory.resolve(marker));
      DurableFiles.fsyncDirectory(runDirectory);
    } catch (IOException e) {
      DurableFiles.deleteQuietly(temp);
      String why = (DurableFiles.isDiskFull(e) ? "the disk is full: " : "")
          + (e instanceof DurableFiles.WriteFailed ? e.getMessage() : DurableFiles.describe(e));
      throw new CheckpointException("saved " + runDirectory.resolve(checkpointName) + " but could not update the '"
          + marker + "' marker (" + why + "); loading the run falls back to its newest complete checkpoint", e);
    }
  }

  /** Keeps the newest keepLast checkpoints by step number, the best, the latest and the one just saved. */
  private void removeOldCheckpoints(String justSaved) {
    List<Path> complete = CheckpointLookup.completeCheckpoints(runDirectory);
    Set<String> keep = new LinkedHashSet<>();
    for (int i = Math.max(0, complete.size() - keepLast); i < complete.size(); i++) {
      keep.add(complete.get(i).getFileName().toString());
    }
    keep.add(justSaved);
    CheckpointLookup.readMarker(runDirectory, BEST_MARKER).ifPresent(keep::add);
    CheckpointLookup.readMarker(runDirectory, LATEST_MARKER).ifPresent(keep::add);
    for (Path dir : complete) {
      if (keep.contains(dir.getFileName().toString())) continue;
      try {
        DurableFiles.renameAndDelete(dir);
      } catch (IOException e) {
        warnings.accept("could not remove old checkpoint " + dir + " (" + DurableFiles.describe(e) + ")");
      }
    }
  }

  /**
   * Loads a checkpoint directory, or a run directory's latest complete checkpoint. Fails with
   * {@link CheckpointException} (one line naming the file and the problem) and deletes nothing.
   */
  public static TrainingState load(Path checkpointOrRunDirectory) {
    return load(checkpointOrRunDirectory, CheckpointStore::printWarning);
  }

  /** As {@link #load(Path)}, with warnings (a half-written directory ignored, a stale marker) sent to a consumer. */
  public static TrainingState load(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    return loadFound(checkpointOrRunDirectory, warnings).state();
  }

  /** A checkpoint directory and its state, read once. */
  public record Loaded(Path directory, TrainingState state) {}

  /**
   * As {@link #load(Path, Consumer)}, also naming the checkpoint directory it read ({@link #resolve}'s): each
   * file is verified once, as it is read, where resolving first and loading after verified it twice.
   */
  public static Loaded loadFound(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    return lookup(checkpointOrRunDirectory, warnings, CheckpointStore::read);
  }

  /**
   * As {@link #loadFound}, reading only meta.json (checked, but no array file read or verified): the state
   * holds no parameters and no optimizer state. For a run initialised from a checkpoint, whose config
   * needs the architecture and tokenizer before the weights are read.
   */
  public static Loaded loadHeader(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    return lookup(checkpointOrRunDirectory, warnings,
        dir -> MetaJson.read(dir.resolve(META_FILE)).toState(Map.of(), Map.of()));
  }

  /**
   * As {@link #loadFound}, for a command that runs the model and never trains it (sample, predict,
   * serve, inspect): meta.json and model.npz are verified and read, optimizer.npz is neither opened nor
   * required (a GPT-2 small's AdamW moments are 1 GB); the state's optimizer state is empty, so it can
   * not be resumed from. Resuming goes through {@link #loadFound}, which needs and verifies both files.
   */
  public static Loaded loadModelOnly(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    return lookup(checkpointOrRunDirectory, warnings, CheckpointStore::readModelOnly);
  }

  /**
   * As {@link #loadModelOnly}, reading no arrays: meta.json is read and model.npz verified, and the state's
   * parameter map is empty (the arrays are read, one by one, from the directory's model.npz by its user).
   */
  public static Loaded loadModelMeta(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    return lookup(checkpointOrRunDirectory, warnings,
        dir -> verify(dir, List.of(MODEL_FILE), true).toState(Map.of(), Map.of()));
  }

  private static Loaded lookup(Path checkpointOrRunDirectory, Consumer<String> warnings,
      Function<Path, TrainingState> open) {
    CheckpointLookup.Found<TrainingState> found = CheckpointLookup.find(checkpointOrRunDirectory, warnings, open);
    return new Loaded(found.directory(), found.opened());
  }

  /**
   * The checkpoint directory that {@link #load} would read: the argument itself if it holds a meta.json,
   * else the run directory's checkpoint named by its {@code latest} marker, or its highest complete step if
   * the marker is missing or names no complete checkpoint ({@link CheckpointLookup}).
   */
  public static Path resolve(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    return CheckpointLookup.find(checkpointOrRunDirectory, warnings, CheckpointStore::verify).directory();
  }

  /** Reads and verifies one checkpoint directory. */
  private static TrainingState read(Path dir) {
    MetaJson.Meta meta = verify(dir);
    Map<String, INDArray> parameters = Npz.read(dir.resolve(MODEL_FILE));
    Map<String, INDArray> optimizerState = Npz.read(dir.resolve(OPTIMIZER_FILE));
    return meta.toState(parameters, optimizerState);
  }

  /** Reads and verifies one checkpoint directory's meta.json and model.npz; optimizer.npz is not opened. */
  private static TrainingState readModelOnly(Path dir) {
    MetaJson.Meta meta = verify(dir, List.of(MODEL_FILE), true);
    return meta.toState(Npz.read(dir.resolve(MODEL_FILE)), Map.of());
  }

  /**
   * Checks one checkpoint directory without building anything: its meta.json, and each file it lists by
   * size and checksum; a {@link CheckpointException} naming the file and the damage.
   */
  static MetaJson.Meta verify(Path dir) {
    return verify(dir, List.of(MODEL_FILE, OPTIMIZER_FILE), false);
  }

  /** As {@link #verify(Path)}: the required files must be listed; onlyRequired checks no other listed file. */
  private static MetaJson.Meta verify(Path dir, List<String> required, boolean onlyRequired) {
    MetaJson.Meta meta = MetaJson.read(dir.resolve(META_FILE));
    meta.files(required).forEach((name, record) -> {
      if (onlyRequired && !required.contains(name)) return;
      Path file = dir.resolve(name);
      if (!file.normalize().startsWith(dir.normalize()) || name.contains("/") || name.contains("\\")) {
        throw new CheckpointException(meta.file() + ": invalid file name '" + name + "' in files");
      }
      DurableFiles.verify(file, record, META_FILE);
    });
    return meta;
  }

  private static void printWarning(String message) {
    System.err.println("warning: " + message);
  }
}
