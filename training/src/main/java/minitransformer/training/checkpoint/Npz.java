package minitransformer.training.checkpoint;

import minitransformer.datasets.IoReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NumPy's {@code .npz}: a ZIP archive with one {@code NAME.npy} entry per array. Entries are written
 * STORED (uncompressed) because ND4J's {@code Nd4j.createFromNpzFile} reads only those.
 *
 * <p>Array names are hierarchical with '/' ({@code h0/attn/W_Q}, {@code m/h0/attn/W_Q}). Since a ZIP
 * entry name is a path, each '/' is written as '.' ({@code h0.attn.W_Q.npy}), the PyTorch
 * state_dict convention; names are therefore restricted to letters, digits, '_' and '-' between
 * the slashes, which makes the mapping reversible.
 */
final class Npz {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
  private static final long ENTRY_TIME = 315_532_800_000L; // 1980-01-01: identical arrays, identical bytes

  private Npz() {}

  /** The ZIP entry name of an array name: '/' becomes '.', then ".npy". */
  static String entryName(String arrayName) {
    checkName(arrayName);
    return arrayName.replace('/', '.') + ".npy";
  }

  /** The array name of a ZIP entry name (the inverse of {@link #entryName}). */
  static String arrayName(String entryName) {
    String base = entryName.endsWith(".npy") ? entryName.substring(0, entryName.length() - 4) : entryName;
    return base.replace('.', '/');
  }

  static void checkName(String arrayName) {
    if (!NAME.matcher(arrayName).matches()) {
      throw new CheckpointException("array name '" + arrayName + "' cannot be stored: names are letters, digits,"
          + " '_' and '-' separated by '/'");
    }
  }

  /** Writes the arrays in map order; does not close {@code out}. */
  static void write(OutputStream out, Map<String, INDArray> arrays) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out);
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      byte[] npy = Npy.toBytes(e.getValue());
      CRC32 crc = new CRC32();
      crc.update(npy);
      ZipEntry entry = new ZipEntry(entryName(e.getKey()));
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(npy.length);
      entry.setCompressedSize(npy.length);
      entry.setCrc(crc.getValue());
      entry.setTime(ENTRY_TIME);
      zip.putNextEntry(entry);
      zip.write(npy);
      zip.closeEntry();
    }
    zip.finish();
  }

  /** Reads every array (STORED or DEFLATED entries, as numpy.savez/savez_compressed write them), in entry order. */
  static Map<String, INDArray> read(Path file) {
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    forEachStream(file, (name, in) -> arrays.put(name, Npy.read(in, file + "[" + name + "]")));
    return arrays;
  }

  /**
   * An open .npz whose arrays are read one at a time, when asked for: what moves a model's weights into
   * another store (the KV cache) holds one array in native memory at a time, never all of them.
   */
  static final class Reader implements AutoCloseable {
    private final Path file;
    private final ZipFile zip;
    private final Map<String, ZipEntry> entries = new LinkedHashMap<>();

    Reader(Path file) {
      this.file = file;
      try {
        zip = new ZipFile(file.toFile());
      } catch (IOException e) {
        throw new CheckpointException(file + ": not a readable .npz archive (" + IoReason.of(e) + ")", e);
      }
      Enumeration<? extends ZipEntry> all = zip.entries();
      while (all.hasMoreElements()) {
        ZipEntry entry = all.nextElement();
        if (entry.isDirectory()) continue;
        if (!entry.getName().endsWith(".npy")) {
          close();
          throw new CheckpointException(file + ": entry '" + entry.getName() + "' is not a .npy array");
        }
        entries.put(arrayName(entry.getName()), entry);
      }
    }

    /** Every array's shape, read from the headers alone, in entry order. */
    Map<String, long[]> shapes() {
      Map<String, long[]> shapes = new LinkedHashMap<>();
      entries.forEach((name, entry) -> shapes.put(name, open(name, entry, Npy::shape)));
      return shapes;
    }

    /** The arrays as a map whose get reads the array then (a new one each time; the caller closes it). */
    Map<String, INDArray> arrays() {
      return new java.util.AbstractMap<>() {
        @Override
        public INDArray get(Object name) {
          ZipEntry entry = entries.get(name);
          return entry == null ? null : open((String) name, entry, Npy::read);
        }

        @Override
        public boolean containsKey(Object name) {
          return entries.containsKey(name);
        }

        @Override
        public java.util.Set<Map.Entry<String, INDArray>> entrySet() {
          throw new UnsupportedOperationException("arrays are read one at a time, by name");
        }
      };
    }

    private interface StreamReader<T> {
      T read(InputStream in, String source) throws IOException;
    }

    private <T> T open(String name, ZipEntry entry, StreamReader<T> reader) {
      try (InputStream in = zip.getInputStream(entry)) {
        return reader.read(in, file + "[" + name + "]");
      } catch (ZipException e) {
        throw new CheckpointException(file + ": not a readable .npz archive (" + e.getMessage() + ")", e);
      } catch (IOException e) {
        throw new CheckpointException(file + ": cannot read (" + IoReason.of(e) + ")", e);
      }
    }

    @Override
    public void close() {
      try {
        zip.close();
      } catch (IOException e) {
        // read only: nothing is lost
      }
    }
  }

  /** The shape of every array, in entry order. */
  static Map<String, long[]> shapes(Path file) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    forEachEntry(file, (name, bytes) -> shapes.put(name, Npy.shape(bytes, file + "[" + name + "]")));
    return shapes;
  }

  private interface EntryVisitor {
    void visit(String arrayName, byte[] npy);
  }

  private interface StreamVisitor {
    void visit(String arrayName, InputStream npy) throws IOException;
  }

  private static void forEachEntry(Path file, EntryVisitor visitor) {
    forEachStream(file, (name, in) -> visitor.visit(name, in.readAllBytes()));
  }

  /** Each .npy entry's stream in turn, in entry order; a non-.npy entry is refused. */
  private static void forEachStream(Path file, StreamVisitor visitor) {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        if (entry.isDirectory()) continue;
        if (!entry.getName().endsWith(".npy")) {
          throw new CheckpointException(file + ": entry '" + entry.getName() + "' is not a .npy array");
        }
        try (InputStream in = zip.getInputStream(entry)) {
          visitor.visit(arrayName(entry.getName()), in);
        }
      }
    } catch (ZipException e) {
      throw new CheckpointException(file + ": not a readable .npz archive (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read (" + IoReason.of(e) + ")", e);
    }
  }
}
