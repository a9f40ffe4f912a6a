package minitransformer.training.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitransformer.training.checkpoint.CheckpointException;
import minitransformer.training.hf.SafetensorsFile.Dtype;
import minitransformer.training.hf.SafetensorsFile.Entry;

/**
 * The JSON header of a safetensors file, parsed and checked: each tensor's {@link Entry} in header
 * order and the {@code __metadata__} strings. {@link #parse} refuses, with a {@link
 * CheckpointException} of one line naming the file and the tensor or key, a header that is not UTF-8
 * or not a JSON object, a tensor named twice, an unknown key or dtype, a shape whose element count
 * times the dtype's size is not the tensor's byte count, and offsets that do not tile the data region
 * exactly. The framing around it (the 8-byte length, the data) is {@link SafetensorsFile}'s.
 */
record SafetensorsHeader(Map<String, Entry> entries, Map<String, String> metadata) {
  /** Refuses a header that names a tensor twice (Jackson would keep the last one silently). */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final String METADATA = "__metadata__";

  /** The header of {@code file} from its bytes; {@code dataBytes} is the length of the data region after it. */
  static SafetensorsHeader parse(Path file, ByteBuffer headerBytes, long dataBytes) {
    String header;
    try {
      header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes).toString();
    } catch (CharacterCodingException e) {
      throw new CheckpointException(file + ": not a safetensors file: the header is not UTF-8", e);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, Entry> entries = parseHeader(file, header, metadata);
    checkOffsets(file, entries, dataBytes);
    return new SafetensorsHeader(entries, Collections.unmodifiableMap(metadata));
  }

  private static Map<String, Entry> parseHeader(Path file, String header, Map<String, String> metadata) {
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": not a safetensors file: the header is not JSON ("
          + e.getOriginalMessage().lines().findFirst().orElse("") + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file + ": not a safetensors file: the header is not a JSON object");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.equals(METADATA)) {
        if (!value.isObject()) throw new CheckpointException(file + ": " + METADATA + " must be an object of strings");
        for (Iterator<Map.Entry<String, JsonNode>> m = value.fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> kv = m.next();
          if (!kv.getValue().isTextual()) {
            throw new CheckpointException(file + ": " + METADATA + " value of '" + kv.getKey()
                + "' must be a string, got " + kv.getValue());
          }
          metadata.put(kv.getKey(), kv.getValue().textValue());
        }
        continue;
      }
      entries.put(name, entry(file, name, value));
    }
    return entries;
  }

  private static Entry entry(Path file, String name, JsonNode value) {
    String where = file + ": tensor '" + name + "'";
    if (!value.isObject()) throw new CheckpointException(where + " is not an object with dtype, shape, data_offsets");
    for (Iterator<String> keys = value.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw new CheckpointException(where + " has an unknown key '" + key + "'");
      }
    }
    JsonNode dtypeNode = value.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) throw new CheckpointException(where + " has no dtype string");
    Dtype dtype = Dtype.parse(dtypeNode.textValue());
    if (dtype == null) throw new CheckpointException(where + " has unknown dtype " + dtypeNode);
    long[] shape = longs(where, value.get("shape"), "shape");
    long[] offsets = longs(where, value.get("data_offsets"), "data_offsets");
    if (offsets.length != 2 || offsets[1] < offsets[0]) {
      throw new CheckpointException(where + " has data_offsets " + value.get("data_offsets")
          + ", expected [begin, end] with begin <= end");
    }
    long elements = 1;
    boolean overflow = false;
    for (long d : shape) {
      overflow |= d != 0 && elements > Long.MAX_VALUE / d;
      elements = overflow ? 0 : elements * d;
    }
    long bytes = offsets[1] - offsets[0];
    if (overflow || elements > Long.MAX_VALUE / dtype.bytes || elements * dtype.bytes != bytes) {
      throw new CheckpointException(where + " has shape " + Arrays.toString(shape) + " of " + dtype
          + " (" + elements + " x " + dtype.bytes + " bytes) but data_offsets " + value.get("data_offsets")
          + " span " + bytes + " bytes");
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] longs(String where, JsonNode node, String key) {
    if (node == null || !node.isArray()) throw new CheckpointException(where + " has no " + key + " array");
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0) {
        throw new CheckpointException(where + " has " + key + " " + node + ": entries must be integers >= 0");
      }
      out[i] = v.longValue();
    }
    return out;
  }

  /** The tensors, in offset order, must tile [0, dataBytes) exactly: no gap, no overlap, nothing beyond. */
  private static void checkOffsets(Path file, Map<String, Entry> entries, long dataBytes) {
    List<Entry> byOffset = new ArrayList<>(entries.values());
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long expected = 0;
    Entry previous = null;
    for (Entry e : byOffset) {
      if (e.begin() != expected) {
        String what = e.begin() < expected ? "overlaps tensor '" + previous.name() + "'" : "leaves a gap after "
            + (previous == null ? "the header" : "tensor '" + previous.name() + "'");
        throw new CheckpointException(file + ": tensor '" + e.name() + "' at data_offsets [" + e.begin() + ", "
            + e.end() + "] " + what + " (expected it to begin at " + expected + ")");
      }
      expected = e.end();
      previous = e;
    }
    if (expected > dataBytes) {
      throw new CheckpointException(file + ": truncated: the tensors need " + expected + " data bytes ("
          + (previous == null ? "" : "tensor '" + previous.name() + "' ends there") + ") but the file holds "
          + dataBytes);
    }
    if (expected < dataBytes) {
      throw new CheckpointException(file + ": " + (dataBytes - expected) + " bytes after the last tensor belong to"
          + " no tensor");
    }
  }
}
