package minitransformer.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word level: words and punctuation marks are separate tokens, and every line break is a token.
 *
 * <p><b>Splitting rule.</b> After optional lower-casing ({@link Locale#ROOT}), tokens are the
 * successive matches of {@link #TOKEN}, i.e. in this order of preference:
 * <ol>
 *   <li>a line break ({@code \r\n}, {@code \n} or {@code \r}), which becomes the token {@code "\n"};</li>
 *   <li>a word: a run of letters, combining marks and digits, with apostrophes ({@code '} or
 *       {@code ’}) allowed <em>between</em> two such characters, so {@code don't} and
 *       {@code avogadro's} are one word while the quote in {@code 'tis} is a mark of its own;</li>
 *   <li>any other single character that is not white space: a punctuation mark or symbol
 *       ({@code .}, {@code ,}, {@code -}, {@code "}, ...), so {@code --} is two tokens.</li>
 * </ol>
 * Other white space only separates tokens and is dropped.
 *
 * <p><b>Vocabulary.</b> Id 0 is always {@value #UNK}; unknown words encode to it. The other ids go
 * to the corpus's tokens ordered by descending count, ties alphabetically ({@link String#compareTo}),
 * keeping only tokens seen at least {@code minCount} times and at most {@code maxVocab - 1} of them
 * ({@code maxVocab} counts {@code <unk>}; 0 = no limit). {@value #UNK} itself can never be a word of
 * the text ({@code <} and {@code >} are marks), so it never collides with one.
 *
 * <p><b>Decoding</b> joins tokens with one space, except: nothing around a line break; no space
 * before {@code . , ; : ! ? ' ’ ) ] } %} nor after {@code ( [ {}; no space on either side of
 * {@code -}; a double quote {@code "} opens (no space after) and closes (no space before) in turn.
 * Decoding is therefore readable but not the exact original spacing.
 */
public final class WordTokenizer implements Tokenizer {
  public static final String UNK = "<unk>";
  public static final int UNK_ID = 0;
  public static final String NEWLINE = "\n";

  /** The splitting rule; see the class comment. */
  public static final Pattern TOKEN = Pattern.compile(
      "\\r\\n|[\\n\\r]"
          + "|[\\p{L}\\p{M}\\p{N}]+(?:['\u2019][\\p{L}\\p{M}\\p{N}]+)*"
          + "|[^\\s\\p{Z}]");

  private final boolean lowercase;
  private final List<String> vocab; // id -> token; vocab.get(0) == UNK
  private final Map<String, Integer> ids;

  /** A tokenizer with exactly this vocabulary in this id order; entry 0 must be {@value #UNK}. */
  public WordTokenizer(boolean lowercase, List<String> vocab) {
    this.lowercase = lowercase;
    this.vocab = List.copyOf(vocab);
    if (this.vocab.isEmpty() || !UNK.equals(this.vocab.get(UNK_ID))) {
      throw new DataException("word vocabulary must start with " + UNK);
    }
    this.ids = new HashMap<>();
    for (int id = 0; id < this.vocab.size(); id++) {
      if (ids.put(this.vocab.get(id), id) != null) {
        throw new DataException("word vocabulary lists \"" + this.vocab.get(id) + "\" twice");
      }
    }
  }

  /** Counts the tokens of {@code text} and keeps the vocabulary the limits allow (class comment). */
  public static WordTokenizer fit(String text, boolean lowercase, int maxVocab, int minCount) {
    Map<String, Integer> counts = new HashMap<>();
    for (String token : split(text, lowercase)) {
      counts.merge(token, 1, Integer::sum);
    }
    List<Map.Entry<String, Integer>> byCount = new ArrayList<>(counts.entrySet());
    byCount.sort(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed()
        .thenComparing(Map.Entry::getKey));
    List<String> vocab = new ArrayList<>();
    vocab.add(UNK);
    for (Map.Entry<String, Integer> entry : byCount) {
      if (maxVocab > 0 && vocab.size() == maxVocab) {
        break;
      }
      if (entry.getValue() >= minCount) {
        vocab.add(entry.getKey());
      }
    }
    return new WordTokenizer(lowercase, vocab);
  }

  /** The text as the splitting rule sees it: lower-cased if this tokenizer lower-cases. */
  public String normalize(String text) {
    return lowercase ? text.toLowerCase(Locale.ROOT) : text;
  }

  /**
   * Where token number {@code index} starts in the normalized text ({@link #normalize}), or the text's
   * length when it has no more tokens.
   */
  public int startOfToken(String normalized, int index) {
    Matcher m = TOKEN.matcher(normalized);
    for (int i = 0; m.find(); i++) {
      if (i == index) {
        return m.start();
      }
    }
    return normalized.length();
  }

  /** The tokens of {@code text} by the splitting rule, before any vocabulary lookup. */
  public static List<String> split(String text, boolean lowercase) {
    String normalized = lowercase ? text.toLowerCase(Locale.ROOT) : text;
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(normalized);
    while (m.find()) {
      String token = m.group();
      tokens.add(token.charAt(0) == '\r' || token.charAt(0) == '\n' ? NEWLINE : token);
    }
    return tokens;
  }

  /** The tokens of {@code text} by this tokenizer's rule (lower-cased if it lower-cases). */
  public List<String> split(String text) {
    return split(text, lowercase);
  }

  @Override
  public String kind() {
    return TokenizerSpec.WORD;
  }

  public boolean lowercase() {
    return lowercase;
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  /** The tokens in id order, {@value #UNK} first. */
  public List<String> vocabulary() {
    return Collections.unmodifiableList(vocab);
  }

  @Override
  public int[] encode(String text) {
    List<String> tokens = split(text);
    int[] out = new int[tokens.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.getOrDefault(tokens.get(i), UNK_ID);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    WordSpacing spacing = new WordSpacing(this);
    StringBuilder text = new StringBuilder();
    for (int id : ids) {
      text.append(spacing.push(id));
    }
    return text.toString();
  }

  /** Prints each token as {@link #decode} of the whole sequence would, one pass in all. */
  @Override
  public StreamingDecoder streamingDecoder() {
    return new WordSpacing(this);
  }

  @Override
  public String token(int id) {
    if (id < 0 || id >= vocab.size()) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
          + vocab.size() + ")");
    }
    return vocab.get(id);
  }

  /**
   * The id of a token as {@link #encode} would see it: lower-cased first when this tokenizer
   * lower-cases, so {@code id("Apple")} finds "apple". Empty for words outside the vocabulary.
   */
  @Override
  public OptionalInt id(String token) {
    String key = lowercase && !UNK.equals(token) ? token.toLowerCase(Locale.ROOT) : token;
    Integer id = ids.get(key);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WordTokenizer that && lowercase == that.lowercase && vocab.equals(that.vocab);
  }

  @Override
  public int hashCode() {
    return 31 * vocab.hashCode() + Boolean.hashCode(lowercase);
  }

  @Override
  public String toString() {
    return "WordTokenizer[lowercase=" + lowercase + ", vocabSize=" + vocab.size() + "]";
  }
}
