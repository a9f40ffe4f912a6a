package minitransformer.training.checkpoint;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import minitransformer.training.cli.Main;

/**
 * The program's main with saves slowed down: every .npz file of a checkpoint is followed by a pause
 * of 1.5 s, so that {@link ProcessKillResumeTest} can kill the process in the middle of a save.
 */
public final class SlowSaveTrainMain {
  static final long PAUSE_MILLIS = 1500;

  private SlowSaveTrainMain() {}

  public static void main(String[] args) {
    CheckpointStore.sinkForNewStores = file -> {
      OutputStream real = ByteSink.FILES.create(file);
      if (!file.getFileName().toString().endsWith(".npz")) return real;
      return new FilterOutputStream(real) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          super.close();
          try {
            Thread.sleep(PAUSE_MILLIS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
    };
    Main.main(args);
  }
}
