package minitransformer.training.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.Tokenizers;
import minitransformer.framework.GPTConfig;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.checkpoint.CheckpointMeta;
import minitransformer.training.checkpoint.CheckpointStore;
import minitransformer.training.checkpoint.TrainingState;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inspect --checkpoint DIR}: what a checkpoint holds, verified against its checksums. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {"Show a checkpoint's contents.",
        "Its step, tokens seen, losses, config, vocabulary, parameters and file sizes."})
public final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin VerboseOption verbose;

  @Mixin ModelOptions checkpoint;

  @Option(names = "--arrays", description = "Also list every parameter array with its shape.")
  boolean arrays;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CheckpointStore.Loaded loaded = checkpoint.readModel(err);
    Path dir = loaded.directory();
    TrainingState s = loaded.state();
    Tokenizer tokenizer = Tokenizers.fromJson(s.tokenizerJson());
    GPTConfig model = s.model();

    out.printf(Locale.ROOT, "checkpoint      %s (format %s v%d, model.npz checksum verified)%n", dir,
        CheckpointStore.FORMAT, CheckpointMeta.formatVersion(dir));
    out.printf(Locale.ROOT, "step            %d (optimizer step %d)%n", s.step(), s.optimizerStep());
    out.printf(Locale.ROOT, "tokens seen     %,d%n", s.tokensSeen());
    out.printf(Locale.ROOT, "losses          last step's batch %s (one training batch), last eval val %s, best val %s%n", loss(s.lastTrainLoss()),
        loss(s.lastValLoss()), loss(s.bestValLoss()));
    out.printf(Locale.ROOT, "vocabulary      %d tokens (%s tokenizer)%n", tokenizer.vocabSize(), tokenizer.kind());
    out.printf(Locale.ROOT, "model           %d layers, %d heads, width %d, block %d, %s positions, bias %s,"
            + " tied embeddings %s, dropout %s%n", model.nLayer(), model.nHead(), model.nEmbd(), model.blockSize(),
        model.positionalEncoding().name().toLowerCase(Locale.ROOT), model.bias(), model.tieEmbeddings(),
        model.dropout());
    out.printf(Locale.ROOT, "blocks          %s%n", model.blocksSummary());
    out.printf(Locale.ROOT, "parameters      %,d in %d arrays%n", s.parameterCount(), s.parameters().size());
    if (arrays) {
      for (Map.Entry<String, INDArray> e : s.parameters().entrySet()) {
        out.printf(Locale.ROOT, "  %-24s %-14s %,10d%n", e.getKey(), Arrays.toString(e.getValue().shape()),
            e.getValue().length());
      }
    }
    out.println("files");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        out.printf(Locale.ROOT, "  %-16s %,12d bytes%n", f.getFileName(), Files.size(f));
      }
    } catch (IOException e) {
      throw new CheckpointException(dir + ": cannot list (" + e.getMessage() + ")", e);
    }
    out.println("config");
    s.resolvedConfigYaml().lines().forEach(line -> out.println("  " + line));
    return 0;
  }

  private static String loss(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.4f", value);
  }
}
