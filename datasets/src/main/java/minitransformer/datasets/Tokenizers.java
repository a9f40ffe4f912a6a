package minitransformer.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds tokenizers from text and saves/loads them exactly as JSON.
 *
 * <p>The document (format {@value #FORMAT}) is
 * <pre>
 * {"format": "minitransformer-tokenizer/1", "kind": "char", "vocab": ["\n", " ", "!", ...]}
 * {"format": "minitransformer-tokenizer/1", "kind": "word", "lowercase": true, "vocab": ["&lt;unk&gt;", "the", ...]}
 * {"format": "minitransformer-tokenizer/1", "kind": "bpe", "pattern": "'(?i:[sdmt]|ll|ve|re)|...",
 *  "merges": [[32, 116], [104, 101], ...], "vocab": [" t", "he", ...]}
 * {"format": "minitransformer-tokenizer/1", "kind": "gpt2", "merges": ["Ġ t", ...], "vocab": {"!": 0, ...},
 *  "special": {"&lt;|endoftext|&gt;": 50256}}
 * </pre>
 * A "gpt2" document may hold {@code "individual_digits": true}: the tokenizer cuts every number
 * character into a chunk of its own before GPT-2's pattern (SmolLM2's tokenizer.json; {@link
 * HfTokenizerJson}); an older program refuses such a document naming the field.
 * with {@code vocab} in id order. A BPE document holds its split pattern (a Java regular expression)
 * and its merges in rank order, merge i joining two ids into id 256 + i; its {@code vocab} lists the
 * merged tokens' texts ({@link BpeTokenizer#token}) for people to read and is checked on loading. A GPT-2
 * document ({@link Gpt2Tokenizer}) holds GPT-2's own files: the merges as {@code merges.txt} writes them, the
 * vocabulary as {@code vocab.json} does, and the special tokens.
 * Any other document, an unknown key included, is rejected.
 */
public final class Tokenizers {
  /** The value of the "format" field; a change of layout gets a new number. */
  public static final String FORMAT = "minitransformer-tokenizer/1";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> CHAR_KEYS = Set.of("format", "kind", "vocab");
  private static final Set<String> WORD_KEYS = Set.of("format", "kind", "lowercase", "vocab");
  private static final Set<String> BPE_KEYS = Set.of("format", "kind", "pattern", "merges", "vocab");
  private static final Set<String> GPT2_KEYS = Set.of("format", "kind", "merges", "vocab", "special");
  /** Optional in a "gpt2" document, written only when true (so GPT-2's own documents stay as they were). */
  private static final String INDIVIDUAL_DIGITS = "individual_digits";

  private Tokenizers() {}

  /**
   * Fits a tokenizer of the given spec to the text: the whole corpus for characters and words, the
   * train split for BPE (see {@link Corpus}). BPE merges from a file ignore the text.
   */
  public static Tokenizer fit(TokenizerSpec spec, String text) {
    return switch (spec.kind()) {
      case TokenizerSpec.CHAR -> CharTokenizer.fit(text);
      case TokenizerSpec.WORD -> WordTokenizer.fit(text, spec.lowercase(), spec.maxVocab(), spec.minCount());
      case TokenizerSpec.BPE -> spec.merges() != null
          ? MergesFile.load(spec.merges(), spec.vocabSize())
          : BpeTrainer.train(text, spec.vocabSize(), SplitPattern.DEFAULT);
      default -> throw new IllegalStateException("TokenizerSpec let through kind " + spec.kind());
    };
  }

  /** A JSON document that {@link #fromJson} turns back into an equal tokenizer. */
  public static String toJson(Tokenizer tokenizer) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("kind", tokenizer.kind());
    List<String> vocab;
    if (tokenizer instanceof CharTokenizer chars) {
      vocab = chars.vocabulary();
    } else if (tokenizer instanceof WordTokenizer words) {
      root.put("lowercase", words.lowercase());
      vocab = words.vocabulary();
    } else if (tokenizer instanceof Gpt2Tokenizer gpt2) {
      ArrayNode merges = root.putArray("merges");
      gpt2.mergeLines().forEach(merges::add);
      ObjectNode vocabulary = root.putObject("vocab");
      gpt2.vocabulary().forEach(vocabulary::put);
      ObjectNode special = root.putObject("special");
      new java.util.TreeMap<>(gpt2.specialTokens()).forEach(special::put);
      if (gpt2.splitsDigits()) root.put(INDIVIDUAL_DIGITS, true);
      return write(root);
    } else if (tokenizer instanceof BpeTokenizer bpe) {
      root.put("pattern", bpe.pattern());
      ArrayNode merges = root.putArray("merges");
      for (int[] merge : bpe.merges()) {
        merges.addArray().add(merge[0]).add(merge[1]);
      }
      vocab = new ArrayList<>();
      for (int id = BpeTokenizer.BYTES; id < bpe.vocabSize(); id++) {
        vocab.add(bpe.token(id));
      }
    } else {
      throw new IllegalArgumentException("cannot save a tokenizer of class " + tokenizer.getClass().getName());
    }
    ArrayNode array = root.putArray("vocab");
    vocab.forEach(array::add);
    return write(root);
  }

  private static String write(ObjectNode root) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write tokenizer JSON", e);
    }
  }

  /** Throws {@link DataException} for a document that is not a tokenizer of a known kind. */
  public static Tokenizer fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new DataException("tokenizer JSON is not valid JSON" + where + ": "
          + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    }
    if (root == null || !root.isObject()) {
      throw new DataException("tokenizer JSON must be an object with \"format\": \"" + FORMAT + "\"");
    }
    JsonNode format = root.get("format");
    if (format == null || !format.isTextual() || !FORMAT.equals(format.asText())) {
      throw new DataException("tokenizer JSON has format " + (format == null ? "(none)" : format.toString())
          + ", expected \"" + FORMAT + "\"");
    }
    JsonNode kind = root.get("kind");
    String kindText = kind != null && kind.isTextual() ? kind.asText() : null;
    if (TokenizerSpec.CHAR.equals(kindText)) {
      requireKeys(root, CHAR_KEYS);
      return new CharTokenizer(strings(root.get("vocab")));
    }
    if (TokenizerSpec.WORD.equals(kindText)) {
      requireKeys(root, WORD_KEYS);
      JsonNode lowercase = root.get("lowercase");
      if (!lowercase.isBoolean()) {
        throw new DataException("tokenizer JSON field \"lowercase\" must be true or false, got " + lowercase);
      }
      return new WordTokenizer(lowercase.asBoolean(), strings(root.get("vocab")));
    }
    if (TokenizerSpec.BPE.equals(kindText)) {
      requireKeys(root, BPE_KEYS);
      return bpe(root);
    }
    if (Gpt2Tokenizer.KIND.equals(kindText)) {
      JsonNode digits = root.get(INDIVIDUAL_DIGITS);
      if (digits != null && !digits.isBoolean()) {
        throw new DataException("tokenizer JSON field \"" + INDIVIDUAL_DIGITS + "\" must be true or false, got "
            + digits);
      }
      requireKeys(((ObjectNode) root.deepCopy()).without(INDIVIDUAL_DIGITS), GPT2_KEYS);
      return gpt2(root, digits != null && digits.booleanValue());
    }
    throw new DataException("tokenizer JSON field \"kind\" must be \"char\", \"word\", \"bpe\" or \"gpt2\", got "
        + (kind == null ? "(none)" : kind.toString()));
  }

  /** Writes {@link #toJson} to a file (UTF-8). */
  public static void save(Tokenizer tokenizer, Path file) throws IOException {
    Files.writeString(file, toJson(tokenizer), StandardCharsets.UTF_8);
  }

  /** Reads a tokenizer file; a missing or bad file is a {@link DataException} naming it. */
  public static Tokenizer load(Path file) {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DataException("tokenizer file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new DataException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
    }
    try {
      return fromJson(json);
    } catch (DataException e) {
      throw new DataException(file + ": " + e.getMessage(), e);
    }
  }

  private static void requireKeys(JsonNode root, Set<String> keys) {
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!keys.contains(key)) {
        throw new DataException("tokenizer JSON has unknown field \"" + key + "\" (expected " +
            String.join(", ", keys.stream().sorted().toList()) + ")");
      }
    }
    for (String key : keys) {
      if (!root.has(key)) {
        throw new DataException("tokenizer JSON lacks the field \"" + key + "\"");
      }
    }
  }

  private static BpeTokenizer bpe(JsonNode root) {
    JsonNode pattern = root.get("pattern");
    if (!pattern.isTextual()) {
      throw new DataException("tokenizer JSON field \"pattern\" must be a string, got " + pattern);
    }
    JsonNode merges = root.get("merges");
    if (!merges.isArray()) {
      throw new DataException("tokenizer JSON field \"merges\" must be an array of [left, right] id pairs");
    }
    List<int[]> pairs = new ArrayList<>(merges.size());
    for (JsonNode merge : merges) {
      if (!merge.isArray() || merge.size() != 2 || !merge.get(0).isInt() || !merge.get(1).isInt()) {
        throw new DataException("tokenizer JSON field \"merges\" entry " + pairs.size()
            + " is not a pair of ids: " + merge);
      }
      pairs.add(new int[] {merge.get(0).asInt(), merge.get(1).asInt()});
    }
    BpeTokenizer bpe = new BpeTokenizer(pattern.asText(), pairs);
    List<String> vocab = strings(root.get("vocab"));
    for (int i = 0; i < Math.max(vocab.size(), pairs.size()); i++) {
      String expected = i < pairs.size() ? bpe.token(BpeTokenizer.BYTES + i) : null;
      String listed = i < vocab.size() ? vocab.get(i) : null;
      if (expected == null || !expected.equals(listed)) {
        throw new DataException("tokenizer JSON field \"vocab\" entry " + i + " is "
            + (listed == null ? "missing" : "\"" + listed + "\"") + " but merge " + i + " makes "
            + (expected == null ? "nothing (no such merge)" : "\"" + expected + "\""));
      }
    }
    return bpe;
  }

  private static Gpt2Tokenizer gpt2(JsonNode root, boolean individualDigits) {
    List<String> merges = strings(root.get("merges"), "merges");
    Map<String, Integer> vocab = ids(root.get("vocab"), "vocab");
    Map<String, Integer> special = ids(root.get("special"), "special");
    try {
      return Gpt2Tokenizer.of(merges, vocab, special, individualDigits);
    } catch (DataException e) {
      throw new DataException("tokenizer JSON of kind \"gpt2\": " + e.getMessage(), e);
    }
  }

  private static Map<String, Integer> ids(JsonNode node, String field) {
    if (!node.isObject()) {
      throw new DataException("tokenizer JSON field \"" + field + "\" must be an object of token -> id");
    }
    Map<String, Integer> out = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isInt()) {
        throw new DataException("tokenizer JSON field \"" + field + "\" gives \"" + e.getKey() + "\" the id "
            + e.getValue() + ", not an integer");
      }
      out.put(e.getKey(), e.getValue().intValue());
    }
    return out;
  }

  private static List<String> strings(JsonNode vocab) {
    return strings(vocab, "vocab");
  }

  private static List<String> strings(JsonNode vocab, String field) {
    if (!vocab.isArray()) {
      throw new DataException("tokenizer JSON field \"" + field + "\" must be an array of strings");
    }
    List<String> out = new ArrayList<>(vocab.size());
    for (JsonNode entry : vocab) {
      if (!entry.isTextual()) {
        throw new DataException("tokenizer JSON field \"" + field + "\" entry " + out.size() + " is not a string: "
            + entry);
      }
      out.add(entry.asText());
    }
    return out;
  }
}
