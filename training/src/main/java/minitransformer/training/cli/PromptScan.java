package minitransformer.training.cli;

import java.io.IOException;
import java.io.Reader;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.IntConsumer;
import minitransformer.datasets.StreamingEncoder;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.WordTokenizer;

/**
 * One pass over a prompt of any length, in memory proportional to what the model reads: it counts the
 * tokens, keeps the last block_size ids (a ring), and for a word tokenizer collects the first
 * {@link #UNKNOWN_LISTED} distinct words read as {@code <unk>}. Each id can also go to a consumer
 * (sample prints the prompt while it is read again).
 */
final class PromptScan implements StreamingEncoder.Sink {
  static final int UNKNOWN_LISTED = 50;

  private final Tokenizer tokenizer;
  private final int[] ring;
  private final IntConsumer each;
  private final Set<String> unknown = new LinkedHashSet<>();
  private boolean moreUnknown;
  private long tokens;
  private long words;
  private long chars;

  private PromptScan(Tokenizer tokenizer, int keep, IntConsumer each) {
    this.tokenizer = tokenizer;
    this.ring = new int[keep];
    this.each = each;
  }

  /** Reads the text to its end; {@code keep} last ids are kept, every id also goes to {@code each}. */
  static PromptScan read(Tokenizer tokenizer, Reader text, int keep, IntConsumer each) throws IOException {
    PromptScan scan = new PromptScan(tokenizer, keep, each);
    scan.chars = StreamingEncoder.encode(tokenizer, text, scan);
    return scan;
  }

  @Override
  public void accept(String text, int[] ids) {
    if (tokenizer instanceof WordTokenizer w) {
      words += ids.length;
      if (contains(ids, WordTokenizer.UNK_ID)) { // the words' text is only needed for the warning
        for (String token : w.split(text)) {
          if (w.id(token).isEmpty() && !unknown.contains(token)) {
            if (unknown.size() < UNKNOWN_LISTED) {
              unknown.add(token);
            } else {
              moreUnknown = true;
            }
          }
        }
      }
    }
    for (int id : ids) {
      ring[(int) (tokens % ring.length)] = id;
      tokens++;
      each.accept(id);
    }
  }

  private static boolean contains(int[] ids, int id) {
    for (int i : ids) {
      if (i == id) {
        return true;
      }
    }
    return false;
  }

  long chars() {
    return chars;
  }

  long tokens() {
    return tokens;
  }

  /** Whether a word tokenizer found no word at all (only white space). */
  boolean noWords() {
    return tokenizer instanceof WordTokenizer && words == 0;
  }

  /** The words read as {@code <unk>}, "..., and more" past the listed ones; empty when none. */
  String unknownWords() {
    return String.join(", ", unknown) + (moreUnknown ? ", and more" : "");
  }

  /** The last min(tokens, keep) ids in order. */
  int[] last() {
    int n = (int) Math.min(tokens, ring.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = ring[(int) ((tokens - n + i) % ring.length)];
    }
    return out;
  }
}
