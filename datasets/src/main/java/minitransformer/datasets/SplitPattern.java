package minitransformer.datasets;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The regular expression that cuts text into chunks before byte-pair merges, so that a merge never
 * joins a word with the punctuation after it, or two words. Each chunk is merged on its own.
 *
 * <p>Patterns are Java regular expressions compiled with {@link Pattern#UNICODE_CHARACTER_CLASS}, so
 * {@code \s} is Unicode white space as in Python's {@code regex} module, which the originals use.
 */
public final class SplitPattern {
  private SplitPattern() {}

  /**
   * GPT-4's {@code cl100k_base} pattern, copied from tiktoken's {@code tiktoken_ext/openai_public.py}
   * (also nanochat's and minbpe's {@code GPT4_SPLIT_PATTERN}). In words: an English contraction
   * ({@code 's 'd 'm 't 'll 've 're}, case-insensitive); a run of letters with at most one leading
   * non-letter, non-digit (usually the space before the word); one to three digits; a run of
   * punctuation with an optional leading space and the line breaks after it; white space up to and
   * including a line break; white space not followed by a non-space (so the last space before a word
   * stays with the word); any other white space.
   */
  public static final String GPT4 =
      "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*"
          + "|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";

  /**
   * GPT-2's pattern, from {@code encoder.py} of openai/gpt-2 (minbpe's {@code GPT2_SPLIT_PATTERN}):
   * lower-case contractions, a letter run, a digit run or a punctuation run each with one optional
   * leading space, then white space as in {@link #GPT4}.
   */
  public static final String GPT2 =
      "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  /** The pattern a learned BPE tokenizer uses. */
  public static final String DEFAULT = GPT4;

  /** Compiles a pattern as this project does; a bad one is a {@link DataException}. */
  public static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    } catch (PatternSyntaxException e) {
      throw new DataException("BPE split pattern is not a valid regular expression: "
          + e.getDescription() + " near index " + e.getIndex());
    }
  }
}
