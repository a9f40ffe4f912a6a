package minitransformer.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's tokenizer files, read, checked against each other and written: {@code tokenizer.json}
 * (Hugging Face's format), or {@code vocab.json} with {@code merges.txt}. Reading yields the merges and
 * GPT-2's numbering of their tokens, a {@link Numbering} that {@link Gpt2Tokenizer} is made of; every
 * inconsistency between the files is a {@link DataException} of one line naming the file and the token.
 */
final class Gpt2TokenizerFiles {
  static final String VOCAB_JSON = "vocab.json";
  static final String MERGES_TXT = "merges.txt";
  static final String TOKENIZER_JSON = "tokenizer.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Gpt2TokenizerFiles() {}

  /**
   * The merges ({@code bpe}) and GPT-2's ids for their tokens: {@code toVocab} maps a bpe id to its
   * GPT-2 id, {@code fromVocab} a GPT-2 id to its bpe id or -1 for a special token, {@code specials}
   * a special token's text to its GPT-2 id; {@code individualDigits} is Hugging Face's {@code Digits}
   * pre-tokenizer before GPT-2's split (SmolLM2's tokenizer.json): every number character a chunk.
   */
  record Numbering(BpeTokenizer bpe, int[] toVocab, int[] fromVocab, Map<String, Integer> specials,
      boolean individualDigits) {
    Numbering withIndividualDigits(boolean on) {
      return new Numbering(bpe, toVocab, fromVocab, specials, on);
    }
  }

  /**
   * Reads {@code dir/tokenizer.json} when it exists, else {@code dir/vocab.json} and {@code
   * dir/merges.txt}.
   */
  static Numbering load(Path dir) {
    Path tokenizerJson = dir.resolve(TOKENIZER_JSON);
    if (Files.isRegularFile(tokenizerJson)) {
      return wrap(tokenizerJson, () -> fromTokenizerJson(read(tokenizerJson)));
    }
    Path vocab = dir.resolve(VOCAB_JSON);
    Path merges = dir.resolve(MERGES_TXT);
    if (!Files.isRegularFile(vocab) || !Files.isRegularFile(merges)) {
      String sentencepiece = Files.isRegularFile(dir.resolve("tokenizer.model"))
          ? ", only tokenizer.model: a sentencepiece tokenizer, which is not read (only byte-level BPE)" : "";
      throw new DataException(dir + " has neither " + TOKENIZER_JSON + " nor both " + VOCAB_JSON + " and "
          + MERGES_TXT + " (GPT-2's tokenizer files)" + sentencepiece);
    }
    String vocabText = read(vocab);
    BpeTokenizer bpe = wrap(merges, () -> MergesFile.fromGpt2Merges(read(merges)));
    return wrap(vocab, () -> number(bpe, parseVocab(vocabText), Map.of()));
  }

  /** From the texts of GPT-2's {@code vocab.json} and {@code merges.txt}. */
  static Numbering fromVocabAndMerges(String vocabJson, String mergesTxt) {
    return number(MergesFile.fromGpt2Merges(mergesTxt), parseVocab(vocabJson), Map.of());
  }

  /** From Hugging Face's {@code tokenizer.json}, as {@link HfTokenizerJson#read} reads it. */
  static Numbering fromTokenizerJson(String json) {
    return HfTokenizerJson.read(json);
  }

  /**
   * Numbers the merged tokens as {@code vocab} does. Every token the bytes and merges make must be in
   * the vocabulary, under one id each; the other entries must be special tokens ({@code <|...|>}, or
   * listed in {@code added}); the ids must be 0..n-1, each once.
   */
  static Numbering number(BpeTokenizer bpe, Map<String, Integer> vocab, Map<String, Integer> added) {
    Map<String, Integer> all = new LinkedHashMap<>(vocab);
    for (Map.Entry<String, Integer> a : added.entrySet()) {
      Integer listed = all.putIfAbsent(a.getKey(), a.getValue());
      if (listed != null && !listed.equals(a.getValue())) {
        throw new DataException("added token \"" + a.getKey() + "\" has id " + a.getValue() + " but the vocab gives "
            + listed);
      }
    }
    String[] alphabet = Gpt2ByteAlphabet.charOfByte();
    int[] toVocab = new int[bpe.vocabSize()];
    for (int b = 0; b < bpe.vocabSize(); b++) {
      String text = Gpt2ByteAlphabet.inAlphabet(bpe.tokenBytes(b), alphabet);
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
    return new Numbering(bpe, toVocab, fromVocab, specials, false);
  }

  static Map<String, Integer> parseVocab(String json) {
    return vocabObject(parse(json), "the vocabulary");
  }

  static Map<String, Integer> vocabObject(JsonNode node, String what) {
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

  static JsonNode parse(String json) {
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

  /**
   * Writes {@code dir/vocab.json} and {@code dir/merges.txt} as Hugging Face's {@code
   * GPT2Tokenizer.save_vocabulary} writes them (the vocabulary sorted by token, indented by 2; {@code
   * #version: 0.2} and one merge a line), from the vocabulary (token -> id) and the merge lines ("Ġ t").
   */
  static void save(Path dir, Map<String, Integer> vocabulary, List<String> mergeLines) throws IOException {
    StringBuilder json = new StringBuilder("{\n");
    for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(vocabulary).entrySet()) {
      json.append(json.length() > 2 ? ",\n" : "").append("  ").append(JSON.writeValueAsString(e.getKey()))
          .append(": ").append(e.getValue());
    }
    Files.writeString(dir.resolve(VOCAB_JSON), json.append("\n}\n").toString(), StandardCharsets.UTF_8);
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (String line : mergeLines) merges.append(line).append('\n');
    Files.writeString(dir.resolve(MERGES_TXT), merges.toString(), StandardCharsets.UTF_8);
  }
}
