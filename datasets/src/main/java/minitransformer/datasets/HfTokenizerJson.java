package minitransformer.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hugging Face's {@code tokenizer.json} of a byte-level BPE tokenizer, read into GPT-2's numbering and
 * written from it. Two pre-tokenizers are read, the two that byte-level models of this size use:
 *
 * <pre>
 *   {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}         GPT-2
 *   {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
 *                                          {"type": "ByteLevel", ... the same}]}   SmolLM2 (and StarCoder)
 * </pre>
 *
 * The second cuts every number character (Unicode's Nd, Nl, No, as the Rust crate's {@code
 * is_numeric}) into a chunk of its own before GPT-2's pattern cuts the stretches between. Everything
 * else is refused with one line: a sentencepiece tokenizer (a {@code Metaspace} pre-tokenizer, a
 * normalizer, {@code byte_fallback}: Llama 2's and TinyLlama's), another model type, a {@code Split}
 * with its own pattern (Llama 3's), {@code ignore_merges}, a post-processor that adds tokens (a
 * TemplateProcessing that puts a BOS before every text; one of the text alone is read), a decoder other
 * than {@code ByteLevel}. {@code added_tokens} are the special tokens.
 */
final class HfTokenizerJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HfTokenizerJson() {}

  static Gpt2TokenizerFiles.Numbering read(String json) {
    JsonNode root = Gpt2TokenizerFiles.parse(json);
    JsonNode model = root.path("model");
    String sentencepiece = " (a sentencepiece tokenizer such as Llama 2's or TinyLlama's is not read; only"
        + " byte-level BPE)";
    if (!model.path("type").asText("").equals("BPE")) {
      throw new DataException("model.type is " + model.get("type") + ", not \"BPE\"" + sentencepiece);
    }
    if (model.path("byte_fallback").asBoolean(false)) {
      throw new DataException("model.byte_fallback is true" + sentencepiece);
    }
    if (model.path("ignore_merges").asBoolean(false)) {
      throw new DataException("model.ignore_merges is true, which is not implemented (the merges decide every"
          + " token)");
    }
    for (String affix : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
      if (!model.path(affix).asText("").isEmpty()) {
        throw new DataException("model." + affix + " is " + model.get(affix) + "; byte-level BPE has none");
      }
    }
    JsonNode normalizer = root.get("normalizer");
    if (normalizer != null && !normalizer.isNull()) {
      throw new DataException("has a normalizer (" + normalizer.path("type").asText("?") + "); GPT-2's has none"
          + sentencepiece);
    }
    boolean digits = preTokenizer(root.path("pre_tokenizer"), sentencepiece);
    JsonNode decoder = root.get("decoder");
    if (decoder != null && !decoder.isNull() && !decoder.path("type").asText("").equals("ByteLevel")) {
      throw new DataException("decoder is " + decoder.get("type") + ", not \"ByteLevel\"" + sentencepiece);
    }
    requireAddsNothing(root.path("post_processor"));
    StringBuilder merges = new StringBuilder();
    int n = 0;
    for (JsonNode m : model.path("merges")) {
      if (m.isTextual()) {
        merges.append(m.textValue());
      } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
        merges.append(m.get(0).textValue()).append(' ').append(m.get(1).textValue());
      } else {
        throw new DataException("model.merges entry " + n + " is not a merge: " + m);
      }
      merges.append('\n');
      n++;
    }
    BpeTokenizer bpe;
    try {
      bpe = MergesFile.fromGpt2Merges(merges.toString());
    } catch (DataException e) {
      throw new DataException("model.merges: " + e.getMessage().replace("line ", "entry "), e);
    }
    Map<String, Integer> vocab = Gpt2TokenizerFiles.vocabObject(model.get("vocab"), "model.vocab");
    Map<String, Integer> added = new LinkedHashMap<>();
    for (JsonNode t : root.path("added_tokens")) {
      if (!t.path("content").isTextual() || !t.path("id").isInt()) {
        throw new DataException("added_tokens entry is not {\"id\": ..., \"content\": ...}: " + t);
      }
      added.put(t.get("content").textValue(), t.get("id").intValue());
    }
    return Gpt2TokenizerFiles.number(bpe, vocab, added).withIndividualDigits(digits);
  }

  /**
   * A post-processor that adds no token to a single text: none, ByteLevel, a TemplateProcessing whose
   * single-text template is the text alone, or a Sequence of those; one that adds a token (a BOS) is refused.
   */
  private static void requireAddsNothing(JsonNode post) {
    if (post.isMissingNode() || post.isNull()) return;
    String type = post.path("type").asText("");
    switch (type) {
      case "ByteLevel" -> { }
      case "Sequence" -> post.path("processors").forEach(HfTokenizerJson::requireAddsNothing);
      case "TemplateProcessing" -> {
        for (JsonNode piece : post.path("single")) {
          if (!piece.has("Sequence")) {
            throw new DataException("post_processor TemplateProcessing adds " + piece.path("SpecialToken").path("id")
                + " to every text, which is not implemented (only a template of the text alone)");
          }
        }
      }
      default -> throw new DataException("post_processor \"" + type + "\" is not implemented (only ByteLevel, or a"
          + " TemplateProcessing that adds no token)");
    }
  }

  /** True for Sequence[Digits(individual), ByteLevel], false for ByteLevel alone; anything else is refused. */
  private static boolean preTokenizer(JsonNode pre, String sentencepiece) {
    String type = pre.path("type").asText("");
    if (type.equals("Sequence")) {
      JsonNode steps = pre.path("pretokenizers");
      boolean digitsFirst = steps.size() == 2 && steps.get(0).path("type").asText("").equals("Digits")
          && steps.get(0).path("individual_digits").asBoolean(false);
      if (digitsFirst) {
        byteLevel(steps.get(1), "pre_tokenizer.pretokenizers[1]", sentencepiece);
        return true;
      }
      for (JsonNode step : steps) {
        String t = step.path("type").asText("");
        if (t.equals("Split")) {
          throw new DataException("pre_tokenizer splits with its own pattern " + step.path("pattern")
              + ", which is not implemented (only GPT-2's ByteLevel split, optionally after Digits)");
        }
        if (t.equals("Metaspace")) throw new DataException("pre_tokenizer has Metaspace" + sentencepiece);
      }
      throw new DataException("pre_tokenizer Sequence " + steps + " is not implemented (only ByteLevel, or"
          + " Digits with individual_digits then ByteLevel)");
    }
    byteLevel(pre, "pre_tokenizer", sentencepiece);
    return false;
  }

  private static void byteLevel(JsonNode pre, String where, String sentencepiece) {
    String type = pre.path("type").asText("");
    if (type.equals("Metaspace")) throw new DataException(where + " is Metaspace" + sentencepiece);
    if (!type.equals("ByteLevel")) {
      throw new DataException(where + " is " + pre.get("type") + ", not GPT-2's \"ByteLevel\"");
    }
    if (pre.path("add_prefix_space").asBoolean(false)) {
      throw new DataException(where + ".add_prefix_space is true; GPT-2's is false");
    }
    if (!pre.path("use_regex").asBoolean(true)) {
      throw new DataException(where + ".use_regex is false; GPT-2 splits with its pattern");
    }
  }

  /**
   * Writes {@code file} as the {@code tokenizers} library saves a byte-level BPE: the vocabulary (token
   * -> id), the merges in rank order ("Ġ t"), the special tokens as added tokens, and the pre-tokenizer
   * that {@link #read} reads back.
   */
  static void write(Path file, Map<String, Integer> vocabulary, List<String> mergeLines, Map<String, Integer> specials,
      boolean individualDigits) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    new TreeMap<>(specials).entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> added.addObject()
        .put("id", e.getValue()).put("content", e.getKey()).put("single_word", false).put("lstrip", false)
        .put("rstrip", false).put("normalized", false).put("special", true));
    root.putNull("normalizer");
    ObjectNode byteLevel = JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", true);
    if (individualDigits) {
      ObjectNode sequence = root.putObject("pre_tokenizer").put("type", "Sequence");
      ArrayNode steps = sequence.putArray("pretokenizers");
      steps.addObject().put("type", "Digits").put("individual_digits", true);
      steps.add(byteLevel);
    } else {
      root.set("pre_tokenizer", byteLevel);
    }
    root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true)
        .put("trim_offsets", false).put("use_regex", true);
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model").put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    vocabulary.forEach(vocab::put);
    ArrayNode merges = model.putArray("merges");
    mergeLines.forEach(merges::add);
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n",
        StandardCharsets.UTF_8);
  }
}
