package minitransformer.framework;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import minitransformer.framework.blocks.Dropout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arrays fed to a graph's dropout mask placeholders ({@link Dropout}): inverted dropout masks drawn
 * from a seed in training mode, ones in eval mode.
 */
final class DropoutMasks {
  private final List<Dropout.Site> sites;
  private final double p;
  private final long nEmbd;
  private final long nHead;
  private final DataType dataType;

  DropoutMasks(List<Dropout.Site> sites, GPTConfig config, DataType dataType) {
    this.sites = List.copyOf(sites);
    this.p = config.dropout();
    this.nEmbd = config.nEmbd();
    this.nHead = config.nHead();
    this.dataType = dataType;
  }

  /** Inverted dropout masks m = Bernoulli(1-p)/(1-p), drawn in graph order from one seeded generator. */
  Map<String, INDArray> training(long batchSize, long time, long seed) {
    Map<String, INDArray> masks = new HashMap<>();
    if (sites.isEmpty()) {
      return masks;
    }
    Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    for (Dropout.Site site : sites) {
      INDArray uniform = Nd4j.create(dataType, shape(site, batchSize, time));
      Nd4j.rand(uniform, rng);
      INDArray kept = uniform.gte(p);
      masks.put(site.maskName(), kept.castTo(dataType).divi(1.0 - p));
      uniform.close(); // freed now, not at the next full GC (for 6 layers of [64, 6, 256, 256]: GBs)
      kept.close();
    }
    return masks;
  }

  /** Eval mode: every mask all ones, so dropout is off. */
  Map<String, INDArray> eval(long batchSize, long time) {
    Map<String, INDArray> masks = new HashMap<>();
    for (Dropout.Site site : sites) {
      masks.put(site.maskName(), Nd4j.ones(dataType, shape(site, batchSize, time)));
    }
    return masks;
  }

  /** Closes the masks in a feed once its pass is done: they were drawn for that pass only. */
  void close(Map<String, INDArray> feed) {
    for (Dropout.Site site : sites) {
      feed.get(site.maskName()).close();
    }
  }

  private long[] shape(Dropout.Site site, long batchSize, long time) {
    return switch (site.shape()) {
      case TOKENS -> new long[] {batchSize * time, nEmbd};
      case ATTENTION -> new long[] {batchSize, nHead, time, time};
    };
  }
}
