package minitransformer.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads BPE merges from a file ({@code data.merges}), in one of two formats:
 * <ul>
 *   <li>a tokenizer JSON of kind {@code bpe} written by this program ({@code tokenizer.json} of a
 *       checkpoint or an export): its pattern and merges;</li>
 *   <li>GPT-2's {@code merges.txt} (openai/gpt-2, HuggingFace): an optional {@code #version} line, then
 *       one merge per line, the two tokens separated by one space and written in GPT-2's byte-to-character
 *       alphabet ({@code Ġ} for a space byte). Its split pattern is {@link SplitPattern#GPT2}.</li>
 * </ul>
 * {@code vocabSize} > 0 keeps the first {@code vocabSize - 256} merges; 0 keeps all.
 */
public final class MergesFile {
  private MergesFile() {}

  public static BpeTokenizer load(Path file, int vocabSize) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DataException("merges file " + file + " (data.merges) does not exist", e);
    } catch (IOException e) {
      throw new DataException("cannot read merges file " + file + " (data.merges): " + IoReason.of(e), e);
    }
    BpeTokenizer all;
    try {
      all = text.stripLeading().startsWith("{") ? fromTokenizerJson(text) : fromGpt2Merges(text);
    } catch (DataException e) {
      throw new DataException(file + ": " + e.getMessage(), e);
    }
    int available = all.vocabSize();
    if (vocabSize == 0 || vocabSize == available) {
      return all;
    }
    if (vocabSize > available) {
      throw new DataException("data.vocab_size = " + vocabSize + " but merges file " + file + " has "
          + (available - BpeTokenizer.BYTES) + " merges (a vocabulary of " + available + ")");
    }
    return new BpeTokenizer(all.pattern(), all.merges().subList(0, vocabSize - BpeTokenizer.BYTES));
  }

  private static BpeTokenizer fromTokenizerJson(String json) {
    Tokenizer tokenizer = Tokenizers.fromJson(json);
    if (tokenizer instanceof BpeTokenizer bpe) {
      return bpe;
    }
    throw new DataException("is a tokenizer of kind \"" + tokenizer.kind() + "\", not \"bpe\"");
  }

  static BpeTokenizer fromGpt2Merges(String text) {
    Map<Integer, Integer> byteOfChar = Gpt2ByteAlphabet.byteOfChar();
    Map<String, Integer> idOfBytes = new HashMap<>();
    for (int b = 0; b < BpeTokenizer.BYTES; b++) {
      idOfBytes.put(String.valueOf((char) b), b);
    }
    List<int[]> merges = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      if (line.isEmpty() || (n == 0 && line.startsWith("#version"))) {
        continue;
      }
      String[] parts = line.split(" ", -1);
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new DataException("line " + (n + 1) + " is not two tokens separated by one space: \"" + line + "\"");
      }
      int[] pair = new int[2];
      StringBuilder joined = new StringBuilder();
      for (int side = 0; side < 2; side++) {
        String bytes = bytesOf(parts[side], byteOfChar, n + 1);
        Integer id = idOfBytes.get(bytes);
        if (id == null) {
          throw new DataException("line " + (n + 1) + ": token \"" + parts[side] + "\" is neither a byte nor made"
              + " by an earlier merge");
        }
        pair[side] = id;
        joined.append(bytes);
      }
      idOfBytes.putIfAbsent(joined.toString(), BpeTokenizer.BYTES + merges.size());
      merges.add(pair);
    }
    return new BpeTokenizer(SplitPattern.GPT2, merges);
  }

  /** The token's bytes as an ISO-8859-1 string (one char per byte). */
  private static String bytesOf(String token, Map<Integer, Integer> byteOfChar, int line) {
    StringBuilder bytes = new StringBuilder(token.length());
    for (int i = 0; i < token.length(); ) {
      int cp = token.codePointAt(i);
      Integer b = byteOfChar.get(cp);
      if (b == null) {
        throw new DataException("line " + line + ": " + CharTokenizer.describe(cp)
            + " is not in GPT-2's byte alphabet");
      }
      bytes.append((char) b.intValue());
      i += Character.charCount(cp);
    }
    return bytes.toString();
  }
}
