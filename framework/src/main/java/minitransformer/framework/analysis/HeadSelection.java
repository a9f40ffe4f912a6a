package minitransformer.framework.analysis;

import java.util.stream.IntStream;

/**
 * Which blocks and heads a view of attention shows, as {@code attention --layer L --head H} and the
 * server's {@code layer} and {@code head} fields choose them.
 *
 * @param layer the one block shown, or null for every block
 * @param head the one head shown (in each block shown), or null for every head
 */
public record HeadSelection(Integer layer, Integer head) {

  /** The blocks shown of a model with nLayer of them, in order. */
  public int[] layers(int nLayer) {
    return IntStream.range(0, nLayer).filter(l -> layer == null || layer == l).toArray();
  }

  /** The heads shown of a block with nHead of them, in order. */
  public int[] heads(int nHead) {
    return IntStream.range(0, nHead).filter(h -> head == null || head == h).toArray();
  }
}
