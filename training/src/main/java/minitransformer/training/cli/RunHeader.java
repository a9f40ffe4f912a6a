package minitransformer.training.cli;

import java.io.PrintWriter;
import java.util.Locale;
import minitransformer.framework.ParameterCount;
import minitransformer.training.TrainingRun;

/** The lines {@code train} prints before its first step: the run, its size and data, where it writes. */
final class RunHeader {
  private RunHeader() {}

  static void print(TrainingRun run, PrintWriter out) {
    long parameters = ParameterCount.of(run.model()).total();
    out.printf(
        Locale.ROOT,
        "%s run %s: %,d parameters, %s vocabulary %d, %,d train / %,d validation tokens%n",
        run.fresh() ? "new" : "resumed",
        run.config().run().name(),
        parameters,
        run.corpus().tokenizer().kind(),
        run.corpus().tokenizer().vocabSize(),
        run.corpus().trainSize(),
        run.corpus().validationSize());
    if (run.fresh() && run.config().training().initFrom() != null) {
      out.println("initialised from " + TrainCommand.displayed(run.config().training().initFrom())
          + ": its weights and tokenizer, block_size " + run.model().config().blockSize()
          + ", a fresh optimizer at step 0");
    }
    out.println(
        (run.fresh() ? "writing to " : "continuing at step " + run.state().step() + " in ")
            + TrainCommand.displayed(run.runDirectory()));
    out.flush();
  }
}
