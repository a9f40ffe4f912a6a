package minitransformer.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A UTF-8 text file, its tokenizer, and its train (first part) and validation (rest) token streams.
 *
 * <p>Characters and words, as nanoGPT's {@code shakespeare_char/prepare.py}: the whole text is
 * encoded, the first {@code floor(trainFraction * N)} tokens are the train split and the rest the
 * validation split. BPE, as nanoGPT's {@code shakespeare/prepare.py}: the text is cut after its first
 * {@code floor(trainFraction * N)} characters (code points), the merges are learned from the first part
 * only, so validation text never shapes the tokenizer, and each part is encoded on its own.
 *
 * <p>Each split also knows how many bytes of the UTF-8 text its tokens cover, for bits per byte: a
 * character or BPE split covers exactly its text; a word split covers the text from its first token
 * to the next split's first token (a word tokenizer drops white space, which belongs to the token before it).
 * Immutable: {@link #train()} and {@link #validation()} return copies.
 */
public final class Corpus {
  private final Path file;
  private final Tokenizer tokenizer;
  private final int[] train;
  private final int[] validation;
  private final long trainBytes;
  private final long validationBytes;

  private Corpus(Path file, Tokenizer tokenizer, int[] train, int[] validation, long trainBytes,
      long validationBytes) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.train = train;
    this.validation = validation;
    this.trainBytes = trainBytes;
    this.validationBytes = validationBytes;
  }

  /**
   * Reads and encodes a corpus. Throws {@link DataException} (one line naming the file) when the file
   * is missing, unreadable, empty or not UTF-8, or when either split is shorter than blockSize + 1 tokens.
   *
   * @param trainFraction share of tokens in the train split, nanoGPT's 0.9
   */
  public static Corpus load(Path file, TokenizerSpec spec, double trainFraction, int blockSize) {
    checkArguments(trainFraction, blockSize);
    String text = readUtf8(file);
    if (TokenizerSpec.BPE.equals(spec.kind())) {
      String trainText = text.substring(0, textCut(text, trainFraction));
      Tokenizer tokenizer = Tokenizers.fit(spec, trainText); // never the validation text
      return split(file, tokenizer, text, trainFraction, blockSize);
    }
    Tokenizer tokenizer = Tokenizers.fit(spec, text);
    requireTwoTokens(file, spec, tokenizer);
    return split(file, tokenizer, text, trainFraction, blockSize);
  }

  /** The char index after the first floor(trainFraction * code points) code points. */
  private static int textCut(String text, double trainFraction) {
    int codePoints = text.codePointCount(0, text.length());
    return text.offsetByCodePoints(0, (int) Math.floor(trainFraction * codePoints));
  }

  /** One token to choose from leaves nothing to predict (and SameDiff fails on a vocabulary of 1). */
  private static void requireTwoTokens(Path file, TokenizerSpec spec, Tokenizer tokenizer) {
    if (tokenizer.vocabSize() >= 2) {
      return;
    }
    String why = tokenizer instanceof WordTokenizer
        ? "only " + WordTokenizer.UNK + ": no word occurs at least data.min_count = " + spec.minCount() + " times"
        : "only the " + CharTokenizer.describe(tokenizer.token(0).codePointAt(0));
    throw new DataException(file + " gives a vocabulary of " + tokenizer.vocabSize() + " token (" + why
        + "); a language model needs at least 2");
  }

  /** The same, with a tokenizer given (a resumed run keeps its checkpoint's tokenizer). */
  public static Corpus load(Path file, Tokenizer tokenizer, double trainFraction, int blockSize) {
    checkArguments(trainFraction, blockSize);
    String text = readUtf8(file);
    return split(file, tokenizer, text, trainFraction, blockSize);
  }

  private static void checkArguments(double trainFraction, int blockSize) {
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new DataException("data.train_fraction must be between 0 and 1 (both excluded), got " + trainFraction);
    }
    if (blockSize < 1) {
      throw new DataException("block size must be at least 1, got " + blockSize);
    }
  }

  private static Corpus split(Path file, Tokenizer tokenizer, String text, double trainFraction, int blockSize) {
    if (tokenizer instanceof BpeTokenizer) {
      int cut = textCut(text, trainFraction);
      String trainText = text.substring(0, cut);
      String validationText = text.substring(cut);
      int[] train = tokenizer.encode(trainText);
      int[] validation = tokenizer.encode(validationText);
      int n = train.length + validation.length;
      requireBlock(file, tokenizer, "train", train.length, n, blockSize);
      requireBlock(file, tokenizer, "validation", validation.length, n, blockSize);
      return new Corpus(file, tokenizer, train, validation, utf8Length(trainText), utf8Length(validationText));
    }
    int[] ids;
    try {
      ids = tokenizer.encode(text);
    } catch (DataException e) {
      throw new DataException(file + ": " + e.getMessage(), e);
    }
    int n = ids.length;
    int nTrain = (int) Math.floor(trainFraction * n); // nanoGPT: int(n * 0.9)
    int[] train = Arrays.copyOfRange(ids, 0, nTrain);
    int[] validation = Arrays.copyOfRange(ids, nTrain, n);
    requireBlock(file, tokenizer, "train", train.length, n, blockSize);
    requireBlock(file, tokenizer, "validation", validation.length, n, blockSize);
    if (tokenizer instanceof Gpt2Tokenizer bytes) {
      // byte-level BPE: a token is a run of bytes, not a character, so the bytes are counted token by token
      return new Corpus(file, tokenizer, train, validation, byteCount(bytes, train), byteCount(bytes, validation));
    }
    String covered = tokenizer instanceof WordTokenizer words ? words.normalize(text) : text;
    int cut = tokenizer instanceof WordTokenizer words
        ? words.startOfToken(covered, nTrain)
        : text.offsetByCodePoints(0, nTrain);
    long trainBytes = utf8Length(covered.substring(0, cut));
    return new Corpus(file, tokenizer, train, validation, trainBytes, utf8Length(covered) - trainBytes);
  }

  private static long byteCount(Gpt2Tokenizer tokenizer, int[] ids) {
    long bytes = 0;
    for (int id : ids) {
      bytes += tokenizer.tokenBytes(id).length;
    }
    return bytes;
  }

  static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3; // a lone surrogate is written as "?" by Java but never reaches here from readUtf8
      }
    }
    return bytes;
  }

  private static void requireBlock(Path file, Tokenizer tokenizer, String split, int size, int n, int blockSize) {
    if (size < blockSize + 1) {
      throw new DataException(file + " is too short: its " + split + " split has " + size + " "
          + tokenizer.kind() + " tokens (of " + n + " in all), fewer than block size + 1 = " + (blockSize + 1));
    }
  }

  /** The file's text, decoded strictly: malformed UTF-8 is an error naming the byte offset. */
  public static String readUtf8(Path file) {
    if (!Files.exists(file)) {
      throw new DataException("corpus file " + file + " does not exist");
    }
    if (Files.isDirectory(file)) {
      throw new DataException("corpus file " + file + " is a directory, not a text file");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataException("corpus file " + file + " does not exist", e);
    } catch (AccessDeniedException e) {
      throw new DataException("corpus file " + file + " cannot be read: permission denied", e);
    } catch (IOException e) {
      throw new DataException("corpus file " + file + " cannot be read: " + e, e);
    }
    if (bytes.length == 0) {
      throw new DataException("corpus file " + file + " is empty");
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never gives more chars than bytes
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      throw new DataException("corpus file " + file + " is not valid UTF-8: malformed byte sequence at byte offset "
          + offset + (offset < bytes.length ? String.format(" (byte 0x%02X)", bytes[offset] & 0xFF) : ""));
    }
    out.flip();
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte order mark is not text
  }

  public Path file() {
    return file;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** A copy of the train token ids. */
  public int[] train() {
    return train.clone();
  }

  /** A copy of the validation token ids. */
  public int[] validation() {
    return validation.clone();
  }

  public int trainSize() {
    return train.length;
  }

  public int validationSize() {
    return validation.length;
  }

  /** The bytes of the UTF-8 text the train tokens cover (class comment). */
  public long trainBytes() {
    return trainBytes;
  }

  /** The bytes of the UTF-8 text the validation tokens cover (class comment). */
  public long validationBytes() {
    return validationBytes;
  }
}
