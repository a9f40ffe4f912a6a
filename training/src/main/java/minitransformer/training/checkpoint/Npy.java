package minitransformer.training.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The NumPy {@code .npy} format (version 1.0), written and read by hand so that every float keeps its
 * exact bits: a 10-byte preamble ({@code \x93NUMPY}, version, header length), an ASCII header dict such
 * as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (65, 128), }} padded to 64 bytes, then
 * the elements in C (row-major) order, little-endian. Supported element types: float32, float64,
 * int32, int64 (other dtypes are refused, never converted).
 */
final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fi])(\\d)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** The .npy bytes of an array (any view or order; written as C order). */
  static byte[] toBytes(INDArray array) {
    String descr = descr(array.dataType());
    long[] shape = array.shape();
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }";
    int unpadded = MAGIC.length + 4 + header.length() + 1; // + the final '\n'
    int padding = (64 - unpadded % 64) % 64;
    header = header + " ".repeat(padding) + "\n";
    long n = array.length();
    int elementBytes = array.dataType().width();
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(MAGIC.length + 4 + header.length() + n * elementBytes))
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.US_ASCII));
    INDArray c = n == 0 ? array : array.dup('c'); // a fresh buffer holding exactly n elements in C order
    switch (array.dataType()) {
      case FLOAT -> { for (float x : c.data().asFloat()) out.putFloat(x); } // putFloat keeps the raw bits
      case DOUBLE -> { for (double x : c.data().asDouble()) out.putDouble(x); }
      case INT -> { for (int x : c.data().asInt()) out.putInt(x); }
      case LONG -> { for (long x : c.data().asLong()) out.putLong(x); }
      default -> throw new IllegalStateException("unreachable: " + array.dataType());
    }
    if (out.hasRemaining()) throw new IllegalStateException("npy size mismatch for shape " + Arrays.toString(shape));
    return out.array();
  }

  /** Parses .npy bytes; {@code source} names the file/entry in error messages. */
  static INDArray fromBytes(byte[] bytes, String source) {
    Header h = header(bytes, source);
    ByteBuffer in = ByteBuffer.wrap(bytes, h.dataOffset, bytes.length - h.dataOffset).order(h.order);
    long n = 1;
    for (long d : h.shape) n *= d;
    if ((long) in.remaining() != n * h.type.width()) {
      throw new CheckpointException(source + ": truncated .npy data (" + in.remaining() + " bytes, shape "
          + Arrays.toString(h.shape) + " needs " + n * h.type.width() + ")");
    }
    int count = Math.toIntExact(n);
    if (count == 0) return Nd4j.create(h.type, h.shape);
    INDArray flat = switch (h.type) {
      case FLOAT -> { float[] a = new float[count]; in.asFloatBuffer().get(a); yield Nd4j.createFromArray(a); }
      case DOUBLE -> { double[] a = new double[count]; in.asDoubleBuffer().get(a); yield Nd4j.createFromArray(a); }
      case INT -> { int[] a = new int[count]; in.asIntBuffer().get(a); yield Nd4j.createFromArray(a); }
      case LONG -> { long[] a = new long[count]; in.asLongBuffer().get(a); yield Nd4j.createFromArray(a); }
      default -> throw new IllegalStateException("unreachable: " + h.type);
    };
    return flat.reshape(h.fortranOrder ? 'f' : 'c', h.shape).dup('c');
  }

  /**
   * Reads one .npy array from a stream, as {@link #fromBytes} does from its bytes, but straight into the
   * array's native memory in 64 KiB pieces: a little-endian C-order array (every array this program
   * writes) never passes through a Java array, so reading a model's weights leaves no heap behind them
   * (read whole, wte of GPT-2 small was 154 MB as bytes plus 154 MB as floats on the heap).
   */
  static INDArray read(InputStream in, String source) throws IOException {
    byte[] headerBytes = headerBytes(in);
    Header h = header(headerBytes, source);
    long n = 1;
    for (long d : h.shape) n *= d;
    if (n == 0 || h.fortranOrder || h.order != ByteOrder.nativeOrder()) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.write(headerBytes);
      in.transferTo(all);
      return fromBytes(all.toByteArray(), source);
    }
    INDArray array = Nd4j.createUninitialized(h.type, h.shape, 'c');
    ByteBuffer data = array.data().asNio();
    long expected = n * h.type.width();
    if (data.remaining() != expected) throw new IllegalStateException("native buffer of " + data.remaining() + " bytes");
    byte[] piece = new byte[1 << 16];
    long read = 0;
    while (read < expected) {
      int r = in.read(piece, 0, (int) Math.min(piece.length, expected - read));
      if (r < 0) break;
      data.put(piece, 0, r);
      read += r;
    }
    boolean overlong = read == expected && in.read() >= 0;
    if (read != expected || overlong) {
      array.close();
      throw new CheckpointException(source + ": " + (overlong ? "overlong" : "truncated") + " .npy data ("
          + (overlong ? "more than " + expected : read) + " bytes, shape " + Arrays.toString(h.shape) + " needs "
          + expected + ")");
    }
    return array;
  }

  /** The shape in the header at the start of a .npy stream, reading no further than the header. */
  static long[] shape(InputStream in, String source) throws IOException {
    return header(headerBytes(in), source).shape;
  }

  /** The preamble and header dict at the start of a .npy stream (whatever it holds; header() checks). */
  private static byte[] headerBytes(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    head.write(in.readNBytes(10));
    byte[] preamble = head.toByteArray();
    if (preamble.length == 10 && preamble[6] != 1) head.write(in.readNBytes(2)); // v2/v3: a 4-byte length
    byte[] lengthBytes = head.toByteArray();
    int headerLength = lengthBytes.length < 10 ? 0 : lengthBytes.length == 10
        ? Short.toUnsignedInt(ByteBuffer.wrap(lengthBytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort())
        : ByteBuffer.wrap(lengthBytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (headerLength > 0 && headerLength < (1 << 20)) head.write(in.readNBytes(headerLength));
    return head.toByteArray();
  }

  /** The shape written in a .npy header, without reading the data. */
  static long[] shape(byte[] bytes, String source) {
    return header(bytes, source).shape;
  }

  private record Header(DataType type, ByteOrder order, boolean fortranOrder, long[] shape, int dataOffset) {}

  private static Header header(byte[] bytes, String source) {
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw new CheckpointException(source + ": not a .npy array (no \\x93NUMPY magic)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int major = bytes[6];
    int headerLength;
    int start;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(b.getShort(8));
      start = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) throw new CheckpointException(source + ": truncated .npy header");
      headerLength = b.getInt(8);
      start = 12;
    } else {
      throw new CheckpointException(source + ": unsupported .npy version " + major);
    }
    if (headerLength < 0 || start + headerLength > bytes.length) {
      throw new CheckpointException(source + ": truncated .npy header");
    }
    String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(header);
    Matcher fortran = FORTRAN.matcher(header);
    Matcher shape = SHAPE.matcher(header);
    if (!descr.find() || !fortran.find() || !shape.find()) {
      throw new CheckpointException(source + ": unsupported .npy header " + header.strip()
          + " (expected float32/float64/int32/int64)");
    }
    String kind = descr.group(2) + descr.group(3);
    DataType type = switch (kind) {
      case "f4" -> DataType.FLOAT;
      case "f8" -> DataType.DOUBLE;
      case "i4" -> DataType.INT;
      case "i8" -> DataType.LONG;
      default -> throw new CheckpointException(source + ": unsupported dtype '" + descr.group(1) + kind
          + "' (expected float32, float64, int32 or int64)");
    };
    ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    long[] dims = Arrays.stream(shape.group(1).split(","))
        .map(String::strip).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    return new Header(type, order, fortran.group(1).equals("True"), dims, start + headerLength);
  }

  private static String descr(DataType type) {
    return switch (type) {
      case FLOAT -> "<f4";
      case DOUBLE -> "<f8";
      case INT -> "<i4";
      case LONG -> "<i8";
      default -> throw new CheckpointException("cannot store an array of type " + type
          + " (supported: FLOAT, DOUBLE, INT, LONG)");
    };
  }

  private static String shapeTuple(long[] shape) {
    if (shape.length == 1) return "(" + shape[0] + ",)";
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) s.append(i == 0 ? "" : ", ").append(shape[i]);
    return s.append(")").toString();
  }
}
