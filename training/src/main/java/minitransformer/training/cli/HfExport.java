package minitransformer.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import minitransformer.training.hf.HfFolder;

/**
 * {@code export --format hf}: a checkpoint of GPT-2's architecture written as a Hugging Face GPT-2 folder,
 * one of Llama's as a Hugging Face Llama folder (tokenizer.json for its tokenizer).
 * The architecture is checked before anything is written; the files are written into a temporary folder
 * beside {@code out} and renamed into place, so a failure leaves no half-written folder.
 */
final class HfExport {
  private final PrintWriter out;
  private final PrintWriter err;

  HfExport(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  /** Exports the checkpoint that checkpoint reads (only once the target is known to be free). */
  int export(Supplier<CheckpointStore.Loaded> checkpoint, Path target, boolean force) {
    if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new BadOptionException(target + " already exists; export does not replace files (use --force)");
    }
    CheckpointStore.Loaded loaded = checkpoint.get();
    Path checkpointDir = loaded.directory();
    TrainingState state = loaded.state();
    GPTConfig config = state.model();
    HfFolder.Layout layout;
    try {
      layout = HfFolder.layoutFor(config);
    } catch (CheckpointException e) {
      throw new CheckpointException(checkpointDir + ": " + e.getMessage(), e);
    }
    Tokenizer tokenizer = Tokenizers.fromJson(state.tokenizerJson());
    Path parent = target.toAbsolutePath().normalize().getParent();
    Path temp = parent.resolve(".tmp-" + target.getFileName() + "-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(parent);
      if (Files.exists(temp)) deleteRecursively(temp);
      Files.createDirectory(temp);
      HfFolder.write(temp, config, state.parameters(), tokenizer instanceof Gpt2Tokenizer gpt2 ? gpt2 : null);
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) deleteRecursively(target); // --force, now that all is written
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new CheckpointException(target + ": cannot write (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      deleteQuietly(temp);
      throw e;
    }
    out.printf("exported %s (step %d) as a Hugging Face %s: %,d parameters%n", checkpointDir, state.step(),
        layout.title(), state.parameterCount());
    try (Stream<Path> files = Files.list(target)) {
      files.map(p -> p.getFileName().toString()).sorted().forEach(name -> out.println("  " + target.resolve(name)));
    } catch (IOException e) {
      throw new CheckpointException(target + ": cannot list (" + e.getMessage() + ")", e);
    }
    if (!(tokenizer instanceof Gpt2Tokenizer)) {
      err.println("note: the tokenizer (kind " + tokenizer.kind() + ") has no Hugging Face " + layout.title()
          + " form; only the model"
          + " was written");
    }
    return 0;
  }

  private static void deleteQuietly(Path path) {
    try {
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) deleteRecursively(path);
    } catch (IOException ignored) {
      // the original failure is the one to report
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> entries = Files.list(path)) {
        for (Path p : (Iterable<Path>) entries::iterator) deleteRecursively(p);
      }
    }
    Files.delete(path);
  }
}
