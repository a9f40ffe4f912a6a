package minitransformer.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * them is a {@link DataException} of one line naming the file and the token ({@link Gpt2TokenizerFiles}
 * reads and writes them).
 */
public final class Gpt2Tokenizer implements Tokenizer {
  public static final String KIND = "gpt2";
  /** GPT-2's one special token, id 50256: documents are separated by it in training. */
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String VOCAB_JSON = Gpt2TokenizerFiles.VOCAB_JSON;
  public static final String MERGES_TXT = Gpt2TokenizerFiles.MERGES_TXT;
  public static final String TOKENIZER_JSON = Gpt2TokenizerFiles.TOKENIZER_JSON;

  private final BpeTokenizer bpe;
  private final int[] toVocab; // bpe id -> GPT-2 id
  private final int[] fromVocab; // GPT-2 id -> bpe id, or -1 for a special token
  private final Map<String, Integer> specials; // text -> GPT-2 id
  private final Pattern specialPattern; // any special token's text; null when there is none
  private final boolean individualDigits; // SmolLM2's Digits pre-tokenizer before GPT-2's split

  private Gpt2Tokenizer(Gpt2TokenizerFiles.Numbering numbering) {
    this.bpe = numbering.bpe();
    this.toVocab = numbering.toVocab();
    this.fromVocab = numbering.fromVocab();
    this.specials = Map.copyOf(numbering.specials());
    List<String> quoted = specials.keySet().stream().sorted((a, b) -> b.length() - a.length())
        .map(Pattern::quote).toList();
    this.specialPattern = quoted.isEmpty() ? null : Pattern.compile(String.join("|", quoted));
    this.individualDigits = numbering.individualDigits();
  }

  // ---- reading the files

  /**
   * Reads {@code dir/tokenizer.json} when it exists, else {@code dir/vocab.json} and {@code
   * dir/merges.txt}.
   */
  public static Gpt2Tokenizer load(Path dir) {
    return new Gpt2Tokenizer(Gpt2TokenizerFiles.load(dir));
  }

  /** From the texts of GPT-2's {@code vocab.json} and {@code merges.txt}. */
  public static Gpt2Tokenizer fromVocabAndMerges(String vocabJson, String mergesTxt) {
    return new Gpt2Tokenizer(Gpt2TokenizerFiles.fromVocabAndMerges(vocabJson, mergesTxt));
  }

  /**
   * From Hugging Face's {@code tokenizer.json}: a {@code BPE} model (its {@code vocab} and {@code
   * merges}, as strings {@code "Ġ t"} or pairs {@code ["Ġ", "t"]}), GPT-2's {@code ByteLevel}
   * pre-tokenizer without a prefix space, no normalizer; {@code added_tokens} are the special tokens.
   */
  public static Gpt2Tokenizer fromTokenizerJson(String json) {
    return new Gpt2Tokenizer(Gpt2TokenizerFiles.fromTokenizerJson(json));
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

  /**
   * True when every number character is a chunk of its own before GPT-2's pattern splits the rest
   * (a tokenizer.json whose pre-tokenizer is Digits with individual_digits, then ByteLevel: SmolLM2's).
   */
  public boolean splitsDigits() {
    return individualDigits;
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
    String clean = Utf8.withoutLoneSurrogates(text);
    Gpt2Encoding encoding = new Gpt2Encoding(bpe, toVocab, clean);
    if (individualDigits) {
      Gpt2Split.splitDigitsFirst(clean, encoding);
    } else {
      Gpt2Split.split(clean, encoding);
    }
    return encoding.ids();
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
    return fromVocab[id] < 0 ? specialText(id)
        : Gpt2ByteAlphabet.inAlphabet(bpe.tokenBytes(fromVocab[id]), Gpt2ByteAlphabet.charOfByte());
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
        && specials.equals(that.specials) && individualDigits == that.individualDigits;
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
  static Gpt2Tokenizer of(List<String> mergeLines, Map<String, Integer> vocab, Map<String, Integer> special,
      boolean individualDigits) {
    StringBuilder merges = new StringBuilder();
    for (String line : mergeLines) merges.append(line).append('\n');
    BpeTokenizer bpe = MergesFile.fromGpt2Merges(merges.toString());
    return new Gpt2Tokenizer(Gpt2TokenizerFiles.number(bpe, vocab, special).withIndividualDigits(individualDigits));
  }

  /**
   * Writes {@code dir/vocab.json} and {@code dir/merges.txt} as Hugging Face's {@code GPT2Tokenizer.save_vocabulary}
   * writes them (the vocabulary sorted by token, indented by 2; {@code #version: 0.2} and one merge a line), so
   * that {@link #load} and Hugging Face read them back.
   */
  public void save(Path dir) throws IOException {
    Gpt2TokenizerFiles.save(dir, vocabulary(), mergeLines());
  }

  /**
   * Writes {@code dir/tokenizer.json} in Hugging Face's format ({@link HfTokenizerJson}), the one file
   * that holds a digit-splitting pre-tokenizer; {@link #load} reads it back.
   */
  public void saveTokenizerJson(Path dir) throws IOException {
    HfTokenizerJson.write(dir.resolve(TOKENIZER_JSON), vocabulary(), mergeLines(), specials, individualDigits);
  }

  /** GPT-2's merges in rank order as its files write them ("Ġ t"). */
  public List<String> mergeLines() {
    String[] alphabet = Gpt2ByteAlphabet.charOfByte();
    List<String> lines = new ArrayList<>();
    for (int[] m : bpe.merges()) {
      lines.add(Gpt2ByteAlphabet.inAlphabet(bpe.tokenBytes(m[0]), alphabet) + " "
          + Gpt2ByteAlphabet.inAlphabet(bpe.tokenBytes(m[1]), alphabet));
    }
    return lines;
  }
}
