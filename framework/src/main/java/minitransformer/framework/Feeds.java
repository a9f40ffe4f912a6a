package minitransformer.framework;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The placeholders of one pass of a {@link GPT}, checked: token ids and targets as [B, T] INT32
 * arrays with 1 <= T <= block_size and every id in the vocabulary (a wrong one fails naming its
 * shape or id), and the dropout masks, drawn for a training pass, ones for an eval-mode pass.
 */
final class Feeds {
  private final GPTConfig config;
  private final DropoutMasks dropoutMasks;

  Feeds(GPTConfig config, DropoutMasks dropoutMasks) {
    this.config = config;
    this.dropoutMasks = dropoutMasks;
  }

  /** ids, targets and the masks drawn from dropoutSeed; {@link #closeMasks} when the pass is done. */
  Map<String, INDArray> training(INDArray ids, INDArray targets, long dropoutSeed) {
    Map<String, INDArray> feed = idsAndTargets(ids, targets);
    feed.putAll(dropoutMasks.training(ids.size(0), ids.size(1), dropoutSeed));
    return feed;
  }

  /** Eval mode (dropout off): ids, targets unless null, and the masks of ones. */
  Map<String, INDArray> eval(INDArray ids, INDArray targets) {
    Map<String, INDArray> feed = idsAndTargets(ids, targets);
    feed.putAll(dropoutMasks.eval(ids.size(0), ids.size(1)));
    return feed;
  }

  /** Frees the masks a training feed drew. */
  void closeMasks(Map<String, INDArray> feed) {
    dropoutMasks.close(feed);
  }

  private Map<String, INDArray> idsAndTargets(INDArray ids, INDArray targets) {
    Map<String, INDArray> feed = new HashMap<>();
    feed.put(Names.INPUT, checkedIds("ids", ids));
    if (targets != null) {
      INDArray t = checkedIds("targets", targets);
      if (!java.util.Arrays.equals(t.shape(), ids.shape())) {
        throw new IllegalArgumentException(
            "targets shape " + java.util.Arrays.toString(t.shape()) + " differs from ids shape "
                + java.util.Arrays.toString(ids.shape()));
      }
      feed.put(Names.TARGETS, t);
    }
    return feed;
  }

  private INDArray checkedIds(String what, INDArray ids) {
    if (ids.rank() != 2) {
      throw new IllegalArgumentException(
          what + " must have shape [B, T], got " + java.util.Arrays.toString(ids.shape()));
    }
    long t = ids.size(1);
    if (ids.size(0) < 1 || t < 1 || t > config.blockSize()) {
      throw new IllegalArgumentException(
          what + " shape " + java.util.Arrays.toString(ids.shape())
              + " needs B >= 1 and 1 <= T <= block_size (" + config.blockSize() + ")");
    }
    INDArray asInt = ids.dataType() == DataType.INT32 ? ids : ids.castTo(DataType.INT32);
    int min = asInt.minNumber().intValue();
    int max = asInt.maxNumber().intValue();
    if (min < 0 || max >= config.vocabSize()) {
      throw new IllegalArgumentException(
          what + " contain id " + (min < 0 ? min : max) + " outside [0, vocab_size = "
              + config.vocabSize() + ")");
    }
    return asInt;
  }
}
