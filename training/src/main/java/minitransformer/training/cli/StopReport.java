package minitransformer.training.cli;

import java.io.PrintWriter;
import minitransformer.training.Trainer;
import minitransformer.training.TrainingRun;

/** What a stopped {@code train} says: what it really saved, and the command that continues the run. */
final class StopReport {
  private StopReport() {}

  static void print(Trainer.Result result, TrainingRun run, PrintWriter out) {
    String resume = "train --resume " + TrainCommand.displayed(run.runDirectory());
    if (result.lastCheckpoint() != null) {
      out.println("interrupted at step " + result.step() + "; saved " + TrainCommand.displayed(result.lastCheckpoint()));
      out.println("resume with: " + resume);
    } else if (run.fresh()) {
      out.println("interrupted at step 0, before the first step: nothing was trained, so nothing was saved");
      out.println("start it again with: " + resume + " (it starts from step 0 with the run's config.yaml)");
    } else {
      out.println("interrupted at step " + result.step() + " before this session trained a step: nothing new to"
          + " save; " + TrainCommand.displayed(run.resumedFrom()) + " is unchanged");
      out.println("resume with: " + resume);
    }
  }
}
