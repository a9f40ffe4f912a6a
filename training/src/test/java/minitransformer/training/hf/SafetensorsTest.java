package minitransformer.training.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import minitransformer.training.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  /** A file of this header (unpadded JSON) and data, as any writer may lay it out. */
  private Path raw(String name, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path file = dir.resolve(name);
    Files.write(file, b.array());
    return file;
  }

  private static byte[] le(int bytesPerValue, long... values) {
    ByteBuffer b = ByteBuffer.allocate(bytesPerValue * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (bytesPerValue) {
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return b.array();
  }

  private static String message(Path file, Runnable open) {
    CheckpointException e = assertThrows(CheckpointException.class, open::run);
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void roundTripKeepsEveryBitShapeAndMetadata() {
    Random r = new Random(7);
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    float[] a = new float[3 * 5];
    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
    a[3] = Float.MIN_VALUE;
    a[4] = -0.0f;
    a[5] = Float.NEGATIVE_INFINITY;
    tensors.put("h.0.attn.c_attn.weight", new SafetensorsWriter.Tensor(new long[] {3, 5}, a));
    tensors.put("b", new SafetensorsWriter.Tensor(new long[] {}, new float[] {42.5f}));
    tensors.put("a.empty", new SafetensorsWriter.Tensor(new long[] {0, 4}, new float[0]));
    Path file = dir.resolve("m.safetensors");
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
    try (SafetensorsFile f = SafetensorsFile.open(file, 8)) { // 8-byte windows: every tensor read in pieces
      assertEquals(List.of("a.empty", "b", "h.0.attn.c_attn.weight"), f.names());
      assertEquals(Map.of("format", "pt"), f.metadata());
      for (Map.Entry<String, SafetensorsWriter.Tensor> e : tensors.entrySet()) {
        assertArrayEquals(e.getValue().shape(), f.entry(e.getKey()).shape(), e.getKey());
        float[] back = f.floats(e.getKey());
        assertEquals(e.getValue().values().length, back.length);
        for (int i = 0; i < back.length; i++) {
          assertEquals(Float.floatToRawIntBits(e.getValue().values()[i]), Float.floatToRawIntBits(back[i]));
        }
      }
    }
  }

  @Test
  void headerIsLaidOutAsTheRustCrateWritesIt() throws IOException {
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("wte.weight", new SafetensorsWriter.Tensor(new long[] {2, 1}, new float[] {1, 2}));
    tensors.put("ln_f.bias", new SafetensorsWriter.Tensor(new long[] {1}, new float[] {3}));
    Path file = dir.resolve("h.safetensors");
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8, "the data starts 8-byte aligned");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"ln_f.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[4,12]}}", header.stripTrailing());
    assertEquals(8 + n + 12, bytes.length);
    assertEquals(3.0f, ByteBuffer.wrap(bytes, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
  }

  @Test
  void halfAndBfloat16AreWidenedExactly() throws IOException {
    // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), -0, +inf, 2^-14 (smallest normal)
    byte[] f16 = le(2, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x0400);
    // BF16: 1, -3.140625, 2^-133 (a subnormal), the largest finite
    byte[] bf16 = le(2, 0x3F80, 0xC049, 0x0001, 0x7F7F);
    byte[] data = new byte[f16.length + bf16.length];
    System.arraycopy(f16, 0, data, 0, f16.length);
    System.arraycopy(bf16, 0, data, f16.length, bf16.length);
    Path file = raw("half.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[7],\"data_offsets\":[0,14]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[14,22]}}", data);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, -0.0f, Float.POSITIVE_INFINITY, 0x1p-14f},
          f.floats("h"));
      assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(f.floats("h")[4]));
      assertArrayEquals(new float[] {1f, -3.140625f, 0x1p-133f, Float.intBitsToFloat(0x7F7F0000)},
          f.floats("b"));
    }
    // every half value against the definition: sign · 2^(e-15) · (1 + m/1024), subnormals 2^-14 · m/1024
    for (int h = 0; h < 0x10000; h++) {
      int e = (h >>> 10) & 0x1F;
      int m = h & 0x3FF;
      if (e == 0x1F) continue;
      double magnitude = e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
      double expected = (h & 0x8000) != 0 ? -magnitude : magnitude;
      assertEquals(expected, SafetensorsFile.halfToFloat((short) h), 0.0, "half 0x" + Integer.toHexString(h));
    }
    assertTrue(Float.isNaN(SafetensorsFile.halfToFloat((short) 0x7E00)));
  }

  @Test
  void anotherDtypeIsRefusedNamingTheTensor() throws IOException {
    Path file = raw("i64.safetensors", "{\"h.0.attn.masked_bias\":{\"dtype\":\"I64\",\"shape\":[],"
        + "\"data_offsets\":[0,8]}}", le(8, 1));
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      String m = message(file, () -> f.floats("h.0.attn.masked_bias"));
      assertTrue(m.contains("'h.0.attn.masked_bias' has dtype I64"), m);
    }
  }

  @Test
  void badFilesAreRefusedWithOneLineNamingFileAndTensor() throws IOException {
    byte[] eight = new byte[8];
    String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    // truncated data
    Path truncated = raw("truncated.safetensors", ok, new byte[5]);
    assertTrue(message(truncated, () -> SafetensorsFile.open(truncated)).contains("truncated"));
    // truncated header
    Path shortHeader = dir.resolve("short.safetensors");
    Files.write(shortHeader, java.util.Arrays.copyOf(Files.readAllBytes(raw("x", ok, eight)), 20));
    assertTrue(message(shortHeader, () -> SafetensorsFile.open(shortHeader)).contains("header length"));
    // an absurd header length (a file of another format)
    Path absurd = dir.resolve("absurd.safetensors");
    Files.write(absurd, "PK\u0003\u0004 this is a zip".getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(message(absurd, () -> SafetensorsFile.open(absurd)).contains("not a safetensors file"));
    // offsets that overlap
    Path overlap = raw("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight);
    assertTrue(message(overlap, () -> SafetensorsFile.open(overlap)).contains("overlaps tensor 'a'"));
    // a gap
    Path gap = raw("gap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight);
    assertTrue(message(gap, () -> SafetensorsFile.open(gap)).contains("leaves a gap"));
    // offsets beyond the file
    Path beyond = raw("beyond.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
        eight);
    assertTrue(message(beyond, () -> SafetensorsFile.open(beyond)).contains("'a' ends there"));
    // bytes nobody owns
    Path extra = raw("extra.safetensors", ok, new byte[12]);
    assertTrue(message(extra, () -> SafetensorsFile.open(extra)).contains("belong to no tensor"));
    // a shape that does not match the byte count
    Path shape = raw("shape.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight);
    assertTrue(message(shape, () -> SafetensorsFile.open(shape)).contains("tensor 'a' has shape [3]"));
    // an unknown dtype, a header that is not JSON, a negative dimension
    Path dtype = raw("dtype.safetensors", "{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight);
    assertTrue(message(dtype, () -> SafetensorsFile.open(dtype)).contains("unknown dtype \"Q4\""));
    Path json = raw("json.safetensors", "{\"a\": [", eight);
    assertTrue(message(json, () -> SafetensorsFile.open(json)).contains("not JSON"));
    Path negative = raw("neg.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
        eight);
    assertTrue(message(negative, () -> SafetensorsFile.open(negative)).contains("integers >= 0"));
    Path overflow = raw("overflow.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
        + "\"data_offsets\":[0,8]}}", eight);
    assertTrue(message(overflow, () -> SafetensorsFile.open(overflow)).contains("tensor 'a' has shape"));
    Path twice = raw("twice.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight);
    assertTrue(message(twice, () -> SafetensorsFile.open(twice)).contains("Duplicate field 'a'"));
    Path missing = dir.resolve("missing.safetensors");
    assertTrue(message(missing, () -> SafetensorsFile.open(missing)).contains("does not exist"));
  }

  /**
   * A 2.3 GB file (sparse: it costs no disk) whose last tensor starts beyond 2^31 bytes: the file is
   * mapped per tensor, never as one buffer, so offsets past Integer.MAX_VALUE read correctly.
   */
  @Test
  void aFileOverTwoGigabytesReadsItsLastTensor() throws IOException {
    long padBytes = 2_300_000_000L;
    String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + padBytes + "],\"data_offsets\":[0," + padBytes + "]},"
        + "\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + padBytes + "," + (padBytes + 16)
        + "]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("large.safetensors");
    try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
      out.write(h);
      out.seek(8 + h.length + padBytes);
      out.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f)
          .putFloat(3.25f).putFloat(1e-30f).array());
    }
    assertTrue(Files.size(file) > (1L << 31));
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 1e-30f}, f.floats("wte.weight"));
      assertEquals(padBytes, f.entry("pad").elements());
    }
  }
}
