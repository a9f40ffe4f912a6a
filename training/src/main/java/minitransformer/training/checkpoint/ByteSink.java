package minitransformer.training.checkpoint;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the checkpoint store's bytes go. The real one writes a new file and forces it to the disk
 * when the stream is closed; tests substitute one that runs out of space part-way, the only honest
 * way to see a full disk without root (no size-limited filesystem can be mounted).
 */
@FunctionalInterface
interface ByteSink {

  /** A stream that creates {@code file} (which must not exist); close() makes its bytes durable. */
  OutputStream create(Path file) throws IOException;

  /** New files on the default filesystem, fsynced on close. */
  ByteSink FILES = file -> {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    OutputStream raw = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) channel.write(buffer);
      }

      @Override
      public void close() throws IOException {
        try (channel) {
          channel.force(true);
        }
      }
    };
    return new BufferedOutputStream(raw, 1 << 16);
  };
}
