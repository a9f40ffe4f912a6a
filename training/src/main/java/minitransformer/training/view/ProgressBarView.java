package minitransformer.training.view;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.StepMetrics;

/**
 * A progress bar (me.tongfei:progressbar) showing the iteration, loss, learning rate, tokens per
 * second and the time left; evaluation lines and notes are printed above it.
 */
public final class ProgressBarView implements TrainingView {
  private static final int WIDTH = 110;

  private final LineConsumer console;
  private ProgressBar bar;

  public ProgressBarView(PrintWriter out) {
    this.console = new LineConsumer(out);
  }

  @Override
  public void started(long startStep, long maxIters, double elapsedSeconds) {
    bar =
        new ProgressBarBuilder()
            .setTaskName("train")
            .setInitialMax(maxIters)
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(console)
            .setMaxRenderedLength(WIDTH)
            .setUpdateIntervalMillis(500)
            .startsFrom(startStep, Duration.ofMillis((long) (elapsedSeconds * 1000)))
            .build();
  }

  @Override
  public void stepped(StepMetrics m) {
    bar.stepTo(m.iter());
    bar.setExtraMessage(
        String.format(
            Locale.ROOT, "loss %.4f lr %.2e %,.0f tok/s", m.loss(), m.lr(), m.tokensPerSec()));
  }

  @Override
  public void evaluated(Evaluation evaluation) {
    console.printAbove(evaluation.describe());
  }

  @Override
  public void note(String line) {
    console.printAbove(line);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }

  /** Draws the bar on one line with carriage returns, and prints whole lines above it. */
  private static final class LineConsumer implements ProgressBarConsumer {
    private final PrintWriter out;
    private String lastBar = "";

    LineConsumer(PrintWriter out) {
      this.out = out;
    }

    @Override
    public int getMaxRenderedLength() {
      return WIDTH;
    }

    @Override
    public synchronized void accept(String rendered) {
      lastBar = rendered;
      out.print('\r');
      out.print(rendered);
      out.flush();
    }

    synchronized void printAbove(String line) {
      out.print('\r');
      out.print(" ".repeat(lastBar.length()));
      out.print('\r');
      out.println(line);
      out.print(lastBar);
      out.flush();
    }

    @Override
    public synchronized void close() {
      out.println();
      out.flush();
    }
  }
}
