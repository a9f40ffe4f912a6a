package minitransformer.training.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import minitransformer.training.checkpoint.CheckpointException;

/**
 * Writes float32 tensors as a safetensors file laid out as Hugging Face's Rust crate lays it out
 * ({@code safetensors.torch.save_file}): the header is compact JSON with {@code __metadata__} first,
 * then the tensors sorted by name (all F32, so the crate's alignment order is the name order), each
 * {@code {"dtype":"F32","shape":[...],"data_offsets":[begin,end]}}, padded with spaces to a multiple
 * of 8 bytes so that the data starts aligned; the data follows in the same order, little-endian.
 * {@link SafetensorsFile} reads it back bit for bit.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_FLOATS = 1 << 18;

  private SafetensorsWriter() {}

  /** A float32 tensor to write: its shape and its values in C order. */
  public record Tensor(long[] shape, float[] values) {
    public Tensor {
      long n = 1;
      for (long d : shape) {
        if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, given "
            + values.length);
      }
      shape = shape.clone();
    }
  }

  /** The header bytes (padded), for the tensors in name order. */
  static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
    ObjectNode root = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject("__metadata__");
      new TreeMap<>(metadata).forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : new TreeMap<>(tensors).entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("a tensor may not be named __metadata__");
      }
      ObjectNode info = root.putObject(e.getKey());
      info.put("dtype", "F32");
      ArrayNode shape = info.putArray("shape");
      for (long d : e.getValue().shape()) shape.add(d);
      long bytes = 4L * e.getValue().values().length;
      info.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a safetensors header", e);
    }
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  /** Writes the file (replacing one that exists); an I/O error is a CheckpointException naming it. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    byte[] header = header(tensors, metadata);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
      writeFully(out, length);
      writeFully(out, ByteBuffer.wrap(header));
      ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
      for (Tensor t : new TreeMap<>(tensors).values()) {
        float[] v = t.values();
        for (int from = 0; from < v.length; from += CHUNK_FLOATS) {
          int n = Math.min(CHUNK_FLOATS, v.length - from);
          chunk.clear();
          chunk.asFloatBuffer().put(v, from, n);
          chunk.limit(4 * n);
          writeFully(out, chunk);
        }
      }
      out.force(true);
    } catch (IOException e) {
      throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) out.write(buffer);
  }
}
