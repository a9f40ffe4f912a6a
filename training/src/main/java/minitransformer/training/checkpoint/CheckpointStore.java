package minitransformer.training.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checkpoints of one run directory: checkpoints/RUN/step-000500/ and so on.
 * Saves are atomic (temporary directory renamed into place, then the latest/best markers).
 *
 * <p>A checkpoint directory holds {@code model.npz} (every parameter), {@code optimizer.npz} (the AdamW
 * moments {@code m/NAME} and {@code v/NAME}) and {@code meta.json} (format, step, tokens seen, config,
 * tokenizer, random states, losses and the size and SHA-256 of the two other files). See
 * checkpoints/README.md for the exact layout.
 *
 * <p>Crash safety: a checkpoint is written into {@code .tmp-step-NNNNNN-PID/}, every file and the
 * directory are fsynced, and only then is it renamed to {@code step-NNNNNN/}. The markers {@code latest}
 * and {@code best} (one line: the directory name) are replaced by an atomic rename afterwards. A process
 * killed at any moment therefore leaves complete checkpoints, markers that name complete checkpoints
 * (or one that is one save behind), and at most one temporary directory, which loading ignores and
 * reports.
 */
public final class CheckpointStore {
  public static final String FORMAT = "minitransformer-checkpoint";
  public static final int FORMAT_VERSION = 1;
  public static final String MODEL_FILE = "model.npz";
  public static final String OPTIMIZER_FILE = "optimizer.npz";
  public static final String META_FILE = "meta.json";
  public static final String LATEST_MARKER = "latest";
  public static final String BEST_MARKER = "best";
  /**
   * meta.json's own checksum: SHA-256 of the document without this key, as this class serializes it.
   * Checked when present; checkpoints saved before it existed have none and still load.
   */
  static final String META_SHA256 = "meta_sha256";
  /**
   * Test-only: milliseconds to sleep after each file of a save, so that a test can kill the process
   * in the middle of one. Unset (0) in normal use.
   */
  public static final String PAUSE_PROPERTY = "minitransformer.checkpoint.testPauseMillis";

  static final String TEMP_PREFIX = ".tmp-";
  private static final String DELETING_PREFIX = ".deleting-";
  private static final String REPLACED_PREFIX = ".replaced-";
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
  private static final Pattern LEFTOVER = Pattern.compile("\\.(?:tmp-.*|deleting-.*|replaced-.*|latest\\.tmp|best\\.tmp)-(\\d+)");
  private static final long PID = ProcessHandle.current().pid();
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path runDirectory;
  private final int keepLast;
  private final ByteSink sink;
  private final Consumer<String> warnings;
  private final long pauseMillis;

  /** @param keepLast how many of the newest checkpoints to keep (the best is always kept) */
  public CheckpointStore(Path runDirectory, int keepLast) {
    this(runDirectory, keepLast, CheckpointStore::printWarning);
  }

  /** @param warnings receives one line per thing worth knowing that is not an error (e.g. a leftover removed) */
  public CheckpointStore(Path runDirectory, int keepLast, Consumer<String> warnings) {
    this(runDirectory, keepLast, ByteSink.FILES, warnings);
  }

  CheckpointStore(Path runDirectory, int keepLast, ByteSink sink, Consumer<String> warnings) {
    if (keepLast < 1) throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
    this.runDirectory = Objects.requireNonNull(runDirectory, "runDirectory");
    this.keepLast = keepLast;
    this.sink = Objects.requireNonNull(sink, "sink");
    this.warnings = Objects.requireNonNull(warnings, "warnings");
    this.pauseMillis = Long.getLong(PAUSE_PROPERTY, 0L);
  }

  public Path runDirectory() {
    return runDirectory;
  }

  /** The directory name of a step: step-000500 (more digits past 999999). */
  public static String stepDirectoryName(long step) {
    return String.format("step-%06d", step);
  }

  // ------------------------------------------------------------------------------------------ save

  /** Writes a complete checkpoint for state.step(); marks it best when isBest. Returns its directory. */
  public Path save(TrainingState state, boolean isBest) {
    String name = stepDirectoryName(state.step());
    Path target = runDirectory.resolve(name);
    Path temp = runDirectory.resolve(TEMP_PREFIX + name + "-" + PID);
    state.parameters().keySet().forEach(Npz::checkName);
    state.optimizerState().keySet().forEach(Npz::checkName);
    try {
      Files.createDirectories(runDirectory);
    } catch (IOException e) {
      throw writeFailure(runDirectory, e);
    }
    removeLeftoversOfDeadProcesses();
    try {
      if (Files.exists(temp)) deleteRecursively(temp);
      Files.createDirectory(temp);
      Map<String, FileRecord> files = new LinkedHashMap<>();
      files.put(MODEL_FILE, writeFile(temp.resolve(MODEL_FILE), out -> Npz.write(out, state.parameters())));
      pauseForTests();
      files.put(OPTIMIZER_FILE,
          writeFile(temp.resolve(OPTIMIZER_FILE), out -> Npz.write(out, state.optimizerState())));
      pauseForTests();
      byte[] meta = metaJson(state, files);
      writeFile(temp.resolve(META_FILE), out -> out.write(meta));
      fsyncDirectory(temp);
      moveIntoPlace(temp, target);
      fsyncDirectory(runDirectory);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw writeFailure(e instanceof WriteFailed ? temp : target, e);
    } catch (RuntimeException e) {
      deleteQuietly(temp);
      throw e;
    }
    writeMarker(LATEST_MARKER, name);
    if (isBest) writeMarker(BEST_MARKER, name);
    removeOldCheckpoints(name);
    return target;
  }

  private record FileRecord(long bytes, String sha256) {}

  private interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** An IOException that names the file being written. */
  private static final class WriteFailed extends IOException {
    final Path file;

    WriteFailed(Path file, IOException cause) {
      super(describe(cause), cause);
      this.file = file;
    }
  }

  private FileRecord writeFile(Path file, Body body) throws WriteFailed {
    MessageDigest sha = sha256();
    long[] count = {0};
    try (OutputStream raw = sink.create(file);
        OutputStream out = new DigestOutputStream(new CountingStream(raw, count), sha)) {
      body.writeTo(out);
    } catch (IOException e) {
      throw new WriteFailed(file, e);
    }
    return new FileRecord(count[0], HexFormat.of().formatHex(sha.digest()));
  }

  private CheckpointException writeFailure(Path file, IOException e) {
    if (e instanceof WriteFailed w) file = w.file;
    String reason = e instanceof WriteFailed ? e.getMessage() : describe(e);
    if (isDiskFull(e)) {
      return new CheckpointException("cannot write " + file + ": the disk is full (" + reason + "); the checkpoint"
          + " was not saved, its temporary directory was removed, and the previous checkpoints are intact", e);
    }
    return new CheckpointException("cannot write " + file + ": " + reason + "; the checkpoint was not saved and"
        + " the previous checkpoints are intact", e);
  }

  static boolean isDiskFull(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")
          || m.contains("not enough space on the disk"))) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private byte[] metaJson(TrainingState state, Map<String, FileRecord> files) throws JsonProcessingException {
    ObjectNode meta = JSON.createObjectNode();
    meta.put("format", FORMAT);
    meta.put("format_version", FORMAT_VERSION);
    meta.put("step", state.step());
    meta.put("tokens_seen", state.tokensSeen());
    meta.put("optimizer_step", state.optimizerStep());
    meta.put("parameter_count", state.parameterCount());
    ObjectNode rng = meta.putObject("rng_state");
    rng.put("batch", state.batchRngState());
    rng.put("eval", state.evalRngState());
    rng.put("dropout", state.dropoutRngState());
    ObjectNode losses = meta.putObject("losses");
    putLoss(losses, "best_val", state.bestValLoss());
    putLoss(losses, "last_train", state.lastTrainLoss());
    putLoss(losses, "last_val", state.lastValLoss());
    meta.put("created", Instant.now().toString());
    ObjectNode fileNode = meta.putObject("files");
    files.forEach((name, record) -> {
      ObjectNode f = fileNode.putObject(name);
      f.put("bytes", record.bytes());
      f.put("sha256", record.sha256());
    });
    meta.put("config_yaml", state.resolvedConfigYaml());
    meta.put("tokenizer_json", state.tokenizerJson());
    meta.put(META_SHA256, metaChecksum(meta));
    return JSON.writeValueAsBytes(meta);
  }

  /** SHA-256 (hex) of the meta document without its own checksum key, serialized as saved. */
  private static String metaChecksum(ObjectNode meta) throws JsonProcessingException {
    ObjectNode body = meta.deepCopy();
    body.remove(META_SHA256);
    return HexFormat.of().formatHex(sha256().digest(JSON.writeValueAsBytes(body)));
  }

  /** A loss is a JSON number, or null for NaN (JSON has no NaN). */
  private static void putLoss(ObjectNode node, String key, double value) {
    if (Double.isNaN(value)) node.putNull(key);
    else node.put(key, value);
  }

  private void moveIntoPlace(Path temp, Path target) throws IOException {
    Path aside = null;
    if (Files.exists(target)) { // saving a step again after resuming from an older checkpoint
      aside = runDirectory.resolve(REPLACED_PREFIX + target.getFileName() + "-" + PID);
      atomicMove(target, aside);
    }
    atomicMove(temp, target);
    if (aside != null) deleteQuietly(aside);
  }

  private void writeMarker(String marker, String checkpointName) {
    Path temp = runDirectory.resolve("." + marker + ".tmp-" + PID);
    try {
      Files.deleteIfExists(temp);
      writeFile(temp, out -> out.write((checkpointName + "\n").getBytes(StandardCharsets.UTF_8)));
      atomicMove(temp, runDirectory.resolve(marker));
      fsyncDirectory(runDirectory);
    } catch (IOException e) {
      deleteQuietly(temp);
      String why = (isDiskFull(e) ? "the disk is full: " : "") + (e instanceof WriteFailed ? e.getMessage() : describe(e));
      throw new CheckpointException("saved " + runDirectory.resolve(checkpointName) + " but could not update the '"
          + marker + "' marker (" + why + "); loading the run falls back to its newest complete checkpoint", e);
    }
  }

  private static void atomicMove(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the filesystem of " + to.getParent() + " cannot rename atomically", e);
    }
  }

  /** Keeps the newest keepLast checkpoints by step number, the best, the latest and the one just saved. */
  private void removeOldCheckpoints(String justSaved) {
    List<Path> complete = completeCheckpoints(runDirectory);
    Set<String> keep = new LinkedHashSet<>();
    for (int i = Math.max(0, complete.size() - keepLast); i < complete.size(); i++) {
      keep.add(complete.get(i).getFileName().toString());
    }
    keep.add(justSaved);
    readMarker(runDirectory, BEST_MARKER).ifPresent(keep::add);
    readMarker(runDirectory, LATEST_MARKER).ifPresent(keep::add);
    for (Path dir : complete) {
      String name = dir.getFileName().toString();
      if (keep.contains(name)) continue;
      // Renamed first, so that a crash in the middle never leaves a step directory with missing files.
      Path doomed = runDirectory.resolve(DELETING_PREFIX + name + "-" + PID);
      try {
        atomicMove(dir, doomed);
        deleteRecursively(doomed);
      } catch (IOException e) {
        warnings.accept("could not remove old checkpoint " + dir + " (" + describe(e) + ")");
      }
    }
  }

  /** Temporary directories and files left by a process that was killed; ours or live ones are left alone. */
  private void removeLeftoversOfDeadProcesses() {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDirectory, ".*")) {
      for (Path p : entries) {
        Matcher m = LEFTOVER.matcher(p.getFileName().toString());
        if (!m.matches()) continue;
        long pid = Long.parseLong(m.group(1));
        if (pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
        deleteRecursively(p);
        warnings.accept("removed " + p + ", left by process " + pid + " that stopped in the middle of a save");
      }
    } catch (IOException | NumberFormatException e) {
      warnings.accept("could not clean leftovers in " + runDirectory + " (" + e.getMessage() + ")");
    }
  }

  private void pauseForTests() {
    if (pauseMillis <= 0) return;
    try {
      Thread.sleep(pauseMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------------------------------ load

  /**
   * Loads a checkpoint directory, or a run directory's latest complete checkpoint. Fails with
   * {@link CheckpointException} (one line naming the file and the problem) and deletes nothing.
   */
  public static TrainingState load(Path checkpointOrRunDirectory) {
    return load(checkpointOrRunDirectory, CheckpointStore::printWarning);
  }

  /** As {@link #load(Path)}, with warnings (a half-written directory ignored, a stale marker) sent to a consumer. */
  public static TrainingState load(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    return read(resolve(checkpointOrRunDirectory, warnings));
  }

  /**
   * The checkpoint directory that {@link #load} would read: the argument itself if it holds a meta.json,
   * else the run directory's checkpoint named by its {@code latest} marker, or its highest complete step if
   * the marker is missing or names no complete checkpoint.
   */
  public static Path resolve(Path checkpointOrRunDirectory, Consumer<String> warnings) {
    Path path = checkpointOrRunDirectory;
    if (!Files.exists(path)) throw new CheckpointException(path + ": no such checkpoint or run directory");
    if (!Files.isDirectory(path)) {
      throw new CheckpointException(path + ": not a directory (expected a checkpoint or run directory)");
    }
    if (Files.exists(path.resolve(META_FILE))) return path;
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
      throw new CheckpointException(path + ": cannot list (" + describe(e) + ")", e);
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
        return named;
      }
      warnings.accept("the '" + LATEST_MARKER + "' marker names " + marker.get()
          + ", which is not a complete checkpoint; loading the newest complete one, " + newest.getFileName());
    } else if (Files.exists(path.resolve(LATEST_MARKER))) {
      warnings.accept(path.resolve(LATEST_MARKER) + " is unreadable; loading the newest complete checkpoint, "
          + newest.getFileName());
    }
    return newest;
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
      throw new CheckpointException(runDirectory + ": cannot list (" + describe(e) + ")", e);
    }
    found.sort(Comparator.comparingLong(CheckpointStore::stepOf));
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

  /** Reads and verifies one checkpoint directory. */
  private static TrainingState read(Path dir) {
    Path metaFile = dir.resolve(META_FILE);
    JsonNode meta = readMeta(metaFile);
    JsonNode files = meta.get("files");
    if (files == null || !files.isObject()) throw missingKey(metaFile, "files");
    for (String required : List.of(MODEL_FILE, OPTIMIZER_FILE)) {
      if (!files.has(required)) throw missingKey(metaFile, "files." + required);
    }
    var names = files.fieldNames();
    while (names.hasNext()) verifyFile(dir, names.next(), files, metaFile);

    Map<String, INDArray> parameters = Npz.read(dir.resolve(MODEL_FILE));
    Map<String, INDArray> optimizerState = Npz.read(dir.resolve(OPTIMIZER_FILE));
    JsonNode rng = object(meta, "rng_state", metaFile);
    JsonNode losses = object(meta, "losses", metaFile);
    return new TrainingState(
        longField(meta, "step", metaFile),
        longField(meta, "tokens_seen", metaFile),
        textField(meta, "config_yaml", metaFile),
        textField(meta, "tokenizer_json", metaFile),
        longField(rng, "batch", metaFile),
        longField(rng, "eval", metaFile),
        longField(rng, "dropout", metaFile),
        lossField(losses, "best_val", metaFile),
        lossField(losses, "last_train", metaFile),
        lossField(losses, "last_val", metaFile),
        parameters,
        optimizerState,
        longField(meta, "optimizer_step", metaFile));
  }

  /** meta.json parsed and its format and version checked. */
  static JsonNode readMeta(Path metaFile) {
    if (!Files.isRegularFile(metaFile)) {
      throw new CheckpointException(metaFile + ": missing; " + metaFile.getParent() + " is not a checkpoint directory");
    }
    JsonNode meta;
    try {
      meta = JSON.readTree(Files.readAllBytes(metaFile));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(metaFile + ": not valid JSON (" + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr() + ")", e);
    } catch (IOException e) {
      throw new CheckpointException(metaFile + ": cannot read (" + describe(e) + ")", e);
    }
    if (meta == null || !meta.isObject()) throw new CheckpointException(metaFile + ": not a JSON object");
    JsonNode format = meta.get("format");
    if (format == null || !FORMAT.equals(format.asText())) {
      throw new CheckpointException(metaFile + ": not a minitransformer checkpoint (format is "
          + (format == null ? "missing" : "'" + format.asText() + "'") + ", expected '" + FORMAT + "')");
    }
    long version = longField(meta, "format_version", metaFile);
    if (version > FORMAT_VERSION) {
      throw new CheckpointException(metaFile + ": checkpoint format version " + version
          + " is newer than this program reads (" + FORMAT_VERSION + "); use a newer minitransformer");
    }
    if (version < 1) throw new CheckpointException(metaFile + ": invalid format_version " + version);
    verifyMetaChecksum((ObjectNode) meta, metaFile);
    return meta;
  }

  /** An edited meta.json (step, random state, config...) would resume a different run: refuse it. */
  private static void verifyMetaChecksum(ObjectNode meta, Path metaFile) {
    JsonNode recorded = meta.get(META_SHA256);
    if (recorded == null) return; // saved before meta.json carried its own checksum
    String actual;
    try {
      actual = metaChecksum(meta);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(metaFile + ": cannot check its checksum (" + describe(e) + ")", e);
    }
    if (!recorded.isTextual() || !actual.equalsIgnoreCase(recorded.asText())) {
      throw new CheckpointException(metaFile + ": checksum mismatch (SHA-256 of its contents " + actual.substring(0, 12)
          + "..., its key '" + META_SHA256 + "' says " + abbreviate(recorded) + "): the file was altered or damaged");
    }
  }

  private static String abbreviate(JsonNode recorded) {
    String text = recorded.isTextual() ? recorded.asText() : recorded.toString();
    return text.length() > 12 ? text.substring(0, 12) + "..." : text;
  }

  private static void verifyFile(Path dir, String name, JsonNode files, Path metaFile) {
    Path file = dir.resolve(name);
    if (!file.normalize().startsWith(dir.normalize()) || name.contains("/") || name.contains("\\")) {
      throw new CheckpointException(metaFile + ": invalid file name '" + name + "' in files");
    }
    JsonNode record = files.get(name);
    long expectedBytes = longField(record, "bytes", metaFile);
    String expectedSha = textField(record, "sha256", metaFile);
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file + ": missing (" + META_FILE + " lists it); the checkpoint is incomplete");
    }
    MessageDigest sha = sha256();
    long bytes = 0;
    try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        bytes += n;
      }
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read (" + describe(e) + ")", e);
    }
    if (bytes != expectedBytes) {
      throw new CheckpointException(file + ": truncated or altered: " + bytes + " bytes, " + META_FILE + " says "
          + expectedBytes);
    }
    String actualSha = HexFormat.of().formatHex(sha.digest());
    if (!actualSha.equalsIgnoreCase(expectedSha)) {
      throw new CheckpointException(file + ": checksum mismatch (SHA-256 " + actualSha.substring(0, 12) + "..., "
          + META_FILE + " says " + expectedSha.substring(0, Math.min(12, expectedSha.length()))
          + "...): the file is damaged or was altered");
    }
  }

  private static JsonNode object(JsonNode node, String key, Path metaFile) {
    JsonNode v = node.get(key);
    if (v == null || !v.isObject()) throw missingKey(metaFile, key);
    return v;
  }

  static long longField(JsonNode node, String key, Path metaFile) {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new CheckpointException(metaFile + ": key '" + key + "' must be an integer, got "
          + (v == null ? "nothing" : v.toString()));
    }
    return v.longValue();
  }

  static String textField(JsonNode node, String key, Path metaFile) {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || !v.isTextual()) {
      throw new CheckpointException(metaFile + ": key '" + key + "' must be a string, got "
          + (v == null ? "nothing" : v.getNodeType().toString().toLowerCase()));
    }
    return v.asText();
  }

  static double lossField(JsonNode node, String key, Path metaFile) {
    JsonNode v = node.get(key);
    if (v == null) throw missingKey(metaFile, key);
    if (v.isNull()) return Double.NaN;
    if (!v.isNumber()) throw new CheckpointException(metaFile + ": key '" + key + "' must be a number or null");
    return v.doubleValue();
  }

  private static CheckpointException missingKey(Path metaFile, String key) {
    return new CheckpointException(metaFile + ": missing key '" + key + "'");
  }

  // ------------------------------------------------------------------------------------------ files

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path p : entries) deleteRecursively(p);
      }
    }
    Files.deleteIfExists(path);
  }

  private static void deleteQuietly(Path path) {
    try {
      deleteRecursively(path);
    } catch (IOException ignored) {
      // best effort: a leftover temporary directory is ignored by load and removed by the next save
    }
  }

  private static void printWarning(String message) {
    System.err.println("warning: " + message);
  }

  /** Counts the bytes that pass through. */
  private static final class CountingStream extends java.io.FilterOutputStream {
    private final long[] count;

    CountingStream(OutputStream out, long[] count) {
      super(out);
      this.count = count;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count[0]++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count[0] += len;
    }
  }
}
