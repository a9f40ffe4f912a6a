package minitransformer.training.hf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import minitransformer.training.checkpoint.CheckpointException;

/**
 * A safetensors file opened for reading (Hugging Face's format, as its Rust crate defines it):
 *
 * <pre>
 *   8 bytes      N, the header's length, an unsigned little-endian 64-bit integer
 *   N bytes      the header, a UTF-8 JSON object: for each tensor
 *                "NAME": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]},
 *                and optionally "__metadata__": {"key": "string value", ...};
 *                padded with spaces
 *   the rest     the data: each tensor's bytes, little-endian, C order, at [begin, end) counted from
 *                the first byte after the header
 * </pre>
 *
 * {@link #open} validates the whole header before anything is read, as the Rust crate does: a header
 * length that is not absurd ({@value #MAX_HEADER_BYTES} bytes at most, and within the file), a JSON
 * object naming each tensor once, known dtypes, non-negative shapes whose element count times the
 * dtype's size is exactly the tensor's byte count, and offsets that tile the data region with
 * neither gaps nor overlaps, ending at the file's end ({@link SafetensorsHeader} checks the JSON).
 * Every error is a {@link CheckpointException} of one line naming the file and the tensor or key.
 *
 * <p>The data is never read whole: {@link #floats} maps the file region of one tensor (in windows of
 * at most 1 GiB, so neither a file nor a tensor over 2 GB is a problem) and decodes F32, F16 and BF16
 * into float32; any other dtype is refused naming the tensor. Not thread-safe; close it after use.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** The Rust crate's limit (safetensors' MAX_HEADER_SIZE). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final int DEFAULT_WINDOW = 1 << 30;

  /** One tensor's entry in the header; {@code begin} and {@code end} count from the data region's start. */
  public record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {
    /** The number of elements, the product of the shape (1 for a scalar). */
    public long elements() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, Entry> entries; // in header order
  private final Map<String, String> metadata;
  private final int window;

  private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
      Map<String, String> metadata, int window) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
    this.window = window;
  }

  /** Opens and validates the file; it stays open (mapped regions are read on demand) until {@link #close}. */
  public static SafetensorsFile open(Path file) {
    return open(file, DEFAULT_WINDOW);
  }

  /** As {@link #open(Path)}, mapping at most {@code window} bytes at a time (tests use small windows). */
  static SafetensorsFile open(Path file, int window) {
    if (window <= 0 || window % 4 != 0) throw new IllegalArgumentException("window " + window);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + " does not exist", e);
    } catch (IOException e) {
      throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      SafetensorsFile opened = read(file, channel, window);
      channel = null;
      return opened;
    } finally {
      if (channel != null) closeQuietly(channel);
    }
  }

  private static SafetensorsFile read(Path file, FileChannel channel, int window) {
    try {
      long size = channel.size();
      if (size < 8) {
        throw new CheckpointException(file + ": not a safetensors file: " + size + " bytes, shorter than the 8-byte"
            + " header length");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long n = lengthBytes.flip().getLong();
      if (n < 2 || n > MAX_HEADER_BYTES) {
        throw new CheckpointException(file + ": not a safetensors file: header length "
            + Long.toUnsignedString(n) + " is not between 2 and " + MAX_HEADER_BYTES + " bytes");
      }
      if (n > size - 8) {
        throw new CheckpointException(file + ": truncated: header length " + n + " but only " + (size - 8)
            + " bytes follow");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
      readFully(channel, headerBytes, 8);
      long dataStart = 8 + n;
      SafetensorsHeader header = SafetensorsHeader.parse(file, headerBytes.flip(), size - dataStart);
      return new SafetensorsFile(file, channel, dataStart, header.entries(), header.metadata(), window);
    } catch (IOException e) {
      throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public Path path() {
    return file;
  }

  /** The tensor names in header order. */
  public List<String> names() {
    return List.copyOf(entries.keySet());
  }

  /** The header's {@code __metadata__} (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** The header entry of a tensor; a missing one is a CheckpointException naming it. */
  public Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) throw new CheckpointException(file + ": has no tensor '" + name + "'");
    return e;
  }

  /** A CheckpointException unless the tensor is F32, F16 or BF16 (what {@link #floats} decodes). */
  public void requireFloat(String name) {
    Entry e = entry(name);
    if (!e.dtype().isFloat()) {
      throw new CheckpointException(file + ": tensor '" + name + "' has dtype " + e.dtype()
          + "; only F32, F16 and BF16 are read");
    }
    if (e.elements() > Integer.MAX_VALUE - 8) {
      throw new CheckpointException(file + ": tensor '" + name + "' has " + e.elements()
          + " elements, more than one Java array holds");
    }
  }

  /** The tensor's values as float32 in C order (F16 and BF16 widened exactly). */
  public float[] floats(String name) {
    requireFloat(name);
    Entry e = entry(name);
    float[] out = new float[(int) e.elements()];
    int size = e.dtype().bytes;
    int at = 0;
    for (long pos = e.begin(); pos < e.end(); ) {
      long length = Math.min(e.end() - pos, window - (window % size));
      MappedByteBuffer map;
      try {
        map = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + pos, length);
      } catch (IOException ex) {
        throw new CheckpointException("cannot read tensor '" + name + "' of " + file + ": " + ex.getMessage(), ex);
      }
      map.order(ByteOrder.LITTLE_ENDIAN);
      int count = (int) (length / size);
      switch (e.dtype()) {
        case F32 -> map.asFloatBuffer().get(out, at, count);
        case F16 -> {
          for (int i = 0; i < count; i++) out[at + i] = halfToFloat(map.getShort(2 * i));
        }
        case BF16 -> {
          for (int i = 0; i < count; i++) out[at + i] = Float.intBitsToFloat((map.getShort(2 * i) & 0xFFFF) << 16);
        }
        default -> throw new IllegalStateException("requireFloat let through " + e.dtype());
      }
      at += count;
      pos += length;
    }
    return out;
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  /** IEEE 754 binary16 to float32, exactly (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) { // infinity or NaN (payload kept)
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa · 2^-24, exact in float32
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) throw new IOException("unexpected end of file");
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing was written
    }
  }

  /** The dtypes of the safetensors format, with their sizes in bytes. */
  public enum Dtype {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4),
    F64(8), I64(8), U64(8);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }

    boolean isFloat() {
      return this == F32 || this == F16 || this == BF16;
    }

    static Dtype parse(String text) {
      for (Dtype d : values()) {
        if (d.name().equals(text)) return d;
      }
      return null;
    }
  }
}
