package minitransformer.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's own tokenizer, id for id: byte-level BPE with GPT-2's split pattern ({@link
 * SplitPattern#GPT2}) and merge ranks, numbered as GPT-2 numbers its tokens, plus the special token
 * {@code <|endoftext|>} (50256).
 *
 * <p>The merging is {@link BpeTokenizer}'s (ids 0..255 are bytes by value, 256 + i is merge i); this
 * class only renumbers: GPT-2's {@code vocab.json} lists the 256 byte tokens in the order of its
 * byte-to-character alphabet ({@code bytes_to_unicode}: {@code !} is 0, a space byte, written
 * {@code Ġ}, is 220) and the merges after them, and the special tokens last.
 *
 * <p><b>The special token's text.</b> {@link #encode} reads the text {@code <|endoftext|>} in its
 * input as the special token, as Hugging Face's {@code GPT2TokenizerFast} does with the downloaded
 * files (and tiktoken's {@code encode(text, allowed_special="all")}); {@link #encodeOrdinary} reads
 * it as the 13 characters it is (tiktoken's {@code encode_ordinary}). Decoding writes the special
 * token as its text.
 *
 * <p>The text is cut into chunks by {@link Gpt2Split}, GPT-2's pattern written out as a scan (several
 * times faster than the regular expression, and equal to it).
 *
 * <p><b>Text that is not Unicode.</b> A lone surrogate in a Java string is encoded as U+FFFD, as
 * JavaScript's {@code TextEncoder} (and so js-tiktoken) does; GPT-2's Python encoder cannot encode it
 * at all.
 *
 * <p>Read from the files a Hugging Face GPT-2 download holds, by {@link #load}: {@code tokenizer.json}
 * (Hugging Face's format) or {@code vocab.json} with {@code merges.txt}. Every inconsistency between
 * them is a {@link DataException} of one line naming the file and the token.
 */
public final class Gpt2Tokenizer implements Tokenizer {
  public static final String KIND = "gpt2";
  /** GPT-2's one special token, id 50256: documents are separated by it in training. */
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String VOCAB_JSON = "vocab.json";
  public static final String MERGES_TXT = "merges.txt";
  public static final String TOKENIZER_JSON = "tokenizer.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BpeTokenizer bpe;
  private final int[] toVocab; // bpe id -> GPT-2 id
  private final int[] fromVocab; // GPT-2 id -> bpe id, or -1 for a special token
  private final Map<String, Integer> specials; // text -> GPT-2 id
  private final Pattern specialPattern; // any special token's text; null when there is none

  private Gpt2Tokenizer(BpeTokenizer bpe, int[] toVocab, int[] fromVocab, Map<String, Integer> specials) {
    this.bpe = bpe;
    this.toVocab = toVocab;
    this.fromVocab = fromVocab;
    this.specials = Map.copyOf(specials);
    List<String> quoted = specials.keySet().stream().sorted((a, b) -> b.length() - a.length())
        .map(Pattern::quote).toList();
    this.specialPattern = quoted.isEmpty() ? null : Pattern.compile(String.join("|", quoted));
  }

  // ---- reading the files

  /**
   * Reads {@code dir/tokenizer.json} when it exists, else {@code dir/vocab.json} and {@code
   * dir/merges.txt}.
   */
  public static Gpt2Tokenizer load(Path dir) {
    Path tokenizerJson = dir.resolve(TOKENIZER_JSON);
    if (Files.isRegularFile(tokenizerJson)) {
      return wrap(tokenizerJson, () -> fromTokenizerJson(read(tokenizerJson)));
    }
    Path vocab = dir.resolve(VOCAB_JSON);
    Path merges = dir.resolve(MERGES_TXT);
    if (!Files.isRegularFile(vocab) || !Files.isRegularFile(merges)) {
      throw new DataException(dir + " has neither " + TOKENIZER_JSON + " nor both " + VOCAB_JSON + " and "
          + MERGES_TXT + " (GPT-2's tokenizer files)");
    }
    String vocabText = read(vocab);
    BpeTokenizer bpe = wrap(merges, () -> MergesFile.fromGpt2Merges(read(merges)));
    return wrap(vocab, () -> fromVocab(bpe, parseVocab(vocabText), Map.of()));
  }

  /** From the texts of GPT-2's {@code vocab.json} and {@code merges.txt}. */
  public static Gpt2Tokenizer fromVocabAndMerges(String vocabJson, String mergesTxt) {
    return fromVocab(MergesFile.fromGpt2Merges(mergesTxt), parseVocab(vocabJson), Map.of());
  }

  /**
   * From Hugging Face's {@code tokenizer.json}: a {@code BPE} model (its {@code vocab} and {@code
   * merges}, as strings {@code "Ġ t"} or pairs {@code ["Ġ", "t"]}), GPT-2's {@code ByteLevel}
   * pre-tokenizer without a prefix space, no normalizer; {@code added_tokens} are the special tokens.
   */
  public static Gpt2Tokenizer fromTokenizerJson(String json) {
    JsonNode root = parse(json);
    JsonNode model = root.path("model");
    if (!model.path("type").asText("").equals("BPE")) {
      throw new DataException("model.type is " + model.get("type") + ", not \"BPE\"");
    }
    JsonNode normalizer = root.get("normalizer");
    if (normalizer != null && !normalizer.isNull()) {
      throw new DataException("has a normalizer (" + normalizer.path("type").asText("?") + "); GPT-2's has none");
    }
    JsonNode pre = root.path("pre_tokenizer");
    if (!pre.path("type").asText("").equals("ByteLevel")) {
      throw new DataException("pre_tokenizer is " + pre.get("type") + ", not GPT-2's \"ByteLevel\"");
    }
    if (pre.path("add_prefix_space").asBoolean(false)) {
      throw new DataException("pre_tokenizer.add_prefix_space is true; GPT-2's is false");
    }
    if (!pre.path("use_regex").asBoolean(true)) {
      throw new DataException("pre_tokenizer.use_regex is false; GPT-2 splits with its pattern");
    }
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
    Map<String, Integer> vocab = vocabObject(model.get("vocab"), "model.vocab");
    Map<String, Integer> added = new LinkedHashMap<>();
    for (JsonNode t : root.path("added_tokens")) {
      if (!t.path("content").isTextual() || !t.path("id").isInt()) {
        throw new DataException("added_tokens entry is not {\"id\": ..., \"content\": ...}: " + t);
      }
      added.put(t.get("content").textValue(), t.get("id").intValue());
    }
    return fromVocab(bpe, vocab, added);
  }

  /**
   * Numbers the merged tokens as {@code vocab} does. Every token the bytes and merges make must be in
   * the vocabulary, under one id each; the other entries must be special tokens ({@code <|...|>}, or
   * listed in {@code added}); the ids must be 0..n-1, each once.
   */
  private static Gpt2Tokenizer fromVocab(BpeTokenizer bpe, Map<String, Integer> vocab, Map<String, Integer> added) {
    Map<String, Integer> all = new LinkedHashMap<>(vocab);
    for (Map.Entry<String, Integer> a : added.entrySet()) {
      Integer listed = all.putIfAbsent(a.getKey(), a.getValue());
      if (listed != null && !listed.equals(a.getValue())) {
        throw new DataException("added token \"" + a.getKey() + "\" has id " + a.getValue() + " but the vocab gives "
            + listed);
      }
    }
    String[] alphabet = charOfByte();
    int[] toVocab = new int[bpe.vocabSize()];
    for (int b = 0; b < bpe.vocabSize(); b++) {
      String text = inAlphabet(bpe.tokenBytes(b), alphabet);
      Integer id = all.get(text);
      if (id == null) {
        throw new DataException("has no entry for \"" + text + "\", which "
            + (b < BpeTokenizer.BYTES ? "is byte " + b
                : "merge " + (b - BpeTokenizer.BYTES + 1) + " of the merges makes"));
      }
      toVocab[b] = id;
    }
    int size = all.size();
    String[] byId = new String[size];
    for (Map.Entry<String, Integer> e : all.entrySet()) {
      int id = e.getValue();
      if (id < 0 || id >= size) {
        throw new DataException("token \"" + e.getKey() + "\" has id " + id + ", outside 0.." + (size - 1)
            + " for a vocabulary of " + size);
      }
      if (byId[id] != null) {
        throw new DataException("tokens \"" + byId[id] + "\" and \"" + e.getKey() + "\" share id " + id);
      }
      byId[id] = e.getKey();
    }
    int[] fromVocab = new int[size];
    Arrays.fill(fromVocab, -1);
    for (int b = 0; b < toVocab.length; b++) {
      int id = toVocab[b];
      if (fromVocab[id] >= 0) {
        throw new DataException("the merges make \"" + byId[id] + "\" twice (merges " + (fromVocab[id] - 255) + " and "
            + (b - 255) + ")");
      }
      fromVocab[id] = b;
    }
    Map<String, Integer> specials = new HashMap<>();
    for (int id = 0; id < size; id++) {
      if (fromVocab[id] >= 0) continue;
      String text = byId[id];
      boolean special = added.containsKey(text) || (text.startsWith("<|") && text.endsWith("|>"));
      if (!special) {
        throw new DataException("entry \"" + text + "\" (id " + id + ") is neither a byte, nor made by the merges,"
            + " nor a special token <|...|>: the vocabulary does not match the merges");
      }
      specials.put(text, id);
    }
    return new Gpt2Tokenizer(bpe, toVocab, fromVocab, specials);
  }

  // ---- Tokenizer

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int vocabSize() {
    return fromVocab.length;
  }

  /** The id of {@code <|endoftext|>}, when the vocabulary has it (50256 in GPT-2's). */
  public OptionalInt endOfText() {
    Integer id = specials.get(END_OF_TEXT);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** True for a special token such as {@code <|endoftext|>}. */
  public boolean isSpecial(int id) {
    check(id);
    return fromVocab[id] < 0;
  }

  /** Encodes text, reading each special token's text as that token (class comment). */
  @Override
  public int[] encode(String text) {
    if (specialPattern == null) return encodeOrdinary(text);
    Matcher m = specialPattern.matcher(text);
    int[] out = new int[0];
    int end = 0;
    while (m.find()) {
      int[] before = encodeOrdinary(text.substring(end, m.start()));
      out = Arrays.copyOf(out, out.length + before.length + 1);
      System.arraycopy(before, 0, out, out.length - before.length - 1, before.length);
      out[out.length - 1] = specials.get(m.group());
      end = m.end();
    }
    if (end == 0) return encodeOrdinary(text);
    int[] rest = encodeOrdinary(text.substring(end));
    int[] all = Arrays.copyOf(out, out.length + rest.length);
    System.arraycopy(rest, 0, all, out.length, rest.length);
    return all;
  }

  /** Encodes all of the text as text, special tokens' texts included. */
  public int[] encodeOrdinary(String text) {
    String clean = withoutLoneSurrogates(text);
    Encoding encoding = new Encoding(clean);
    Gpt2Split.split(clean, encoding);
    return Arrays.copyOf(encoding.ids, encoding.n);
  }

  /**
   * One call's ids, with the ids of every distinct chunk cached (prose repeats its chunks). The cache is
   * an open-addressing table looked up by the chunk's place in the text, so a chunk seen before costs no
   * substring: with a HashMap of substrings, hashing was half of the encoding time.
   */
  private final class Encoding implements Gpt2Split.Chunks {
    private final String text;
    private String[] keys = new String[1024];
    private int[][] values = new int[1024][];
    private int size;
    private int[] ids;
    private int n;

    Encoding(String text) {
      this.text = text;
      this.ids = new int[Math.max(16, text.length() / 3)];
    }

    @Override
    public void chunk(int start, int end) {
      int length = end - start;
      int h = 0;
      for (int i = start; i < end; i++) h = 31 * h + text.charAt(i);
      h ^= h >>> 16;
      int mask = keys.length - 1;
      int slot = h & mask;
      int[] chunkIds = null;
      for (String key; (key = keys[slot]) != null; slot = (slot + 1) & mask) {
        if (key.length() == length && text.regionMatches(start, key, 0, length)) {
          chunkIds = values[slot];
          break;
        }
      }
      if (chunkIds == null) {
        String chunk = text.substring(start, end);
        chunkIds = bpe.encodeChunk(chunk.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < chunkIds.length; i++) chunkIds[i] = toVocab[chunkIds[i]];
        keys[slot] = chunk;
        values[slot] = chunkIds;
        if (++size * 2 > keys.length) grow();
      }
      if (n + chunkIds.length > ids.length) ids = Arrays.copyOf(ids, Math.max(2 * ids.length, n + chunkIds.length));
      System.arraycopy(chunkIds, 0, ids, n, chunkIds.length);
      n += chunkIds.length;
    }

    private void grow() {
      String[] oldKeys = keys;
      int[][] oldValues = values;
      keys = new String[oldKeys.length * 2];
      values = new int[keys.length][];
      int mask = keys.length - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] == null) continue;
        int h = oldKeys[i].hashCode(); // the same polynomial as in chunk()
        int slot = (h ^ (h >>> 16)) & mask;
        while (keys[slot] != null) slot = (slot + 1) & mask;
        keys[slot] = oldKeys[i];
        values[slot] = oldValues[i];
      }
    }
  }

  @Override
  public String decode(int[] ids) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int id : ids) {
      bytes.writeBytes(tokenBytesOf(id));
    }
    return Utf8.decode(bytes.toByteArray());
  }

  @Override
  public String token(int id) {
    check(id);
    return fromVocab[id] < 0 ? specialText(id) : bpe.token(fromVocab[id]);
  }

  @Override
  public byte[] tokenBytes(int id) {
    return tokenBytesOf(id).clone();
  }

  /** The token as GPT-2's files write it: its bytes in GPT-2's byte alphabet ({@code Ġthe}). */
  public String vocabEntry(int id) {
    check(id);
    return fromVocab[id] < 0 ? specialText(id) : inAlphabet(bpe.tokenBytes(fromVocab[id]), charOfByte());
  }

  @Override
  public OptionalInt id(String token) {
    Integer special = specials.get(token);
    if (special != null) return OptionalInt.of(special);
    OptionalInt b = bpe.id(token);
    return b.isPresent() ? OptionalInt.of(toVocab[b.getAsInt()]) : OptionalInt.empty();
  }

  @Override
  public StreamingDecoder streamingDecoder() {
    Utf8.Stream stream = new Utf8.Stream();
    return new StreamingDecoder() {
      @Override
      public String push(int id) {
        return stream.push(tokenBytesOf(id));
      }

      @Override
      public String finish() {
        return stream.finish();
      }
    };
  }

  private byte[] tokenBytesOf(int id) {
    check(id);
    int b = fromVocab[id];
    return b < 0 ? specialText(id).getBytes(StandardCharsets.UTF_8) : bpe.tokenBytes(b);
  }

  private String specialText(int id) {
    for (Map.Entry<String, Integer> e : specials.entrySet()) {
      if (e.getValue() == id) return e.getKey();
    }
    throw new IllegalStateException("id " + id + " is not a special token");
  }

  private void check(int id) {
    if (id < 0 || id >= fromVocab.length) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + fromVocab.length + ")");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Gpt2Tokenizer that && bpe.equals(that.bpe) && Arrays.equals(toVocab, that.toVocab)
        && specials.equals(that.specials);
  }

  @Override
  public int hashCode() {
    return 31 * bpe.hashCode() + Arrays.hashCode(toVocab);
  }

  @Override
  public String toString() {
    return "Gpt2Tokenizer[vocabSize=" + vocabSize() + "]";
  }

  // ---- internals

  /** Lone surrogates replaced by U+FFFD (JavaScript's TextEncoder); the text itself when it has none. */
  static String withoutLoneSurrogates(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean lone = false;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          if (out != null) out.append(c).append(text.charAt(i + 1));
          i++;
          continue;
        }
        lone = true;
      } else if (Character.isLowSurrogate(c)) {
        lone = true;
      }
      if (lone && out == null) {
        out = new StringBuilder(text.length()).append(text, 0, i);
      }
      if (out != null) out.append(lone ? Utf8.REPLACEMENT : c);
    }
    return out == null ? text : out.toString();
  }

  /** GPT-2's bytes_to_unicode: the character that stands for each byte in its files. */
  static String[] charOfByte() {
    String[] out = new String[256];
    for (Map.Entry<Integer, Integer> e : MergesFile.gpt2ByteOfChar().entrySet()) {
      out[e.getValue()] = new String(Character.toChars(e.getKey()));
    }
    return out;
  }

  private static String inAlphabet(byte[] bytes, String[] alphabet) {
    StringBuilder s = new StringBuilder(bytes.length);
    for (byte b : bytes) s.append(alphabet[b & 0xFF]);
    return s.toString();
  }

  private static Map<String, Integer> parseVocab(String json) {
    return vocabObject(parse(json), "the vocabulary");
  }

  private static Map<String, Integer> vocabObject(JsonNode node, String what) {
    if (node == null || !node.isObject()) throw new DataException(what + " is not a JSON object of token -> id");
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isInt()) {
        throw new DataException(what + " gives token \"" + e.getKey() + "\" the id " + e.getValue()
            + ", not an integer");
      }
      vocab.put(e.getKey(), e.getValue().intValue());
    }
    return vocab;
  }

  private static JsonNode parse(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) throw new DataException("is not a JSON object");
      return root;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new DataException("is not valid JSON" + where + ": "
          + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DataException(file + " does not exist", e);
    } catch (IOException e) {
      throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Runs a parse, prefixing its DataException with the file. */
  private static <T> T wrap(Path file, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (DataException e) {
      String m = e.getMessage();
      throw new DataException(m.startsWith(file.toString()) ? m : file + ": " + m, e);
    }
  }

  /** The special tokens, text -> id. */
  public Map<String, Integer> specialTokens() {
    return specials;
  }

  /** The vocabulary as GPT-2's {@code vocab.json} holds it, token -> id, in id order. */
  public Map<String, Integer> vocabulary() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int id = 0; id < vocabSize(); id++) vocab.put(vocabEntry(id), id);
    return vocab;
  }

  /** A tokenizer of these merges ("Ġ t"), vocabulary and special tokens, checked as the files are. */
  static Gpt2Tokenizer of(List<String> mergeLines, Map<String, Integer> vocab, Map<String, Integer> special) {
    StringBuilder merges = new StringBuilder();
    for (String line : mergeLines) merges.append(line).append('\n');
    return fromVocab(MergesFile.fromGpt2Merges(merges.toString()), vocab, special);
  }

  /**
   * Writes {@code dir/vocab.json} and {@code dir/merges.txt} as Hugging Face's {@code GPT2Tokenizer.save_vocabulary}
   * writes them (the vocabulary sorted by token, indented by 2; {@code #version: 0.2} and one merge a line), so
   * that {@link #load} and Hugging Face read them back.
   */
  public void save(Path dir) throws IOException {
    StringBuilder json = new StringBuilder("{\n");
    for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(vocabulary()).entrySet()) {
      json.append(json.length() > 2 ? ",\n" : "").append("  ").append(JSON.writeValueAsString(e.getKey()))
          .append(": ").append(e.getValue());
    }
    Files.writeString(dir.resolve(VOCAB_JSON), json.append("\n}\n").toString(), StandardCharsets.UTF_8);
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (String line : mergeLines()) merges.append(line).append('\n');
    Files.writeString(dir.resolve(MERGES_TXT), merges.toString(), StandardCharsets.UTF_8);
  }

  /** GPT-2's merges in rank order as its files write them ("Ġ t"). */
  public List<String> mergeLines() {
    String[] alphabet = charOfByte();
    List<String> lines = new ArrayList<>();
    for (int[] m : bpe.merges()) {
      lines.add(inAlphabet(bpe.tokenBytes(m[0]), alphabet) + " " + inAlphabet(bpe.tokenBytes(m[1]), alphabet));
    }
    return lines;
  }
}
