package minitransformer.framework.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * How the nh query heads meet the key/value heads: the scores q·kᵀ and the mix att·v.
 *
 * <p>With n_kv_head = nh (multi-head attention) head h of q meets head h of k and v. With fewer
 * (grouped-query attention; multi-query at 1) query head h meets key/value head h / r, r = nh /
 * n_kv_head, as Hugging Face's {@code repeat_kv} pairs them, but without repeating anything: the r
 * query heads of a group are stacked along time, (B, nh, T, hs) = (B, n_kv, r·T, hs), and one batched
 * product per group does their scores against the group's one key head.
 */
public interface KeyValueHeads {
  /** q (B, nh, T, hs), k (B, n_kv, T, hs) -> q·kᵀ (B, nh, T, T). */
  SDVariable scores(SameDiff sd, SDVariable q, SDVariable k, Sequence seq);

  /** att (B, nh, T, T), v (B, n_kv, T, hs) -> att·v (B, nh, T, hs). */
  SDVariable mix(SameDiff sd, SDVariable att, SDVariable v, Sequence seq);

  static KeyValueHeads of(int nHead, int nKvHead, int hs) {
    return nKvHead == nHead ? new OnePerQuery() : new Grouped(nHead, nKvHead, hs);
  }

  /** Multi-head attention: one key/value head per query head. */
  final class OnePerQuery implements KeyValueHeads {
    @Override
    public SDVariable scores(SameDiff sd, SDVariable q, SDVariable k, Sequence seq) {
      return sd.mmul(q, k, false, true, false); // (B, nh, T, T)
    }

    @Override
    public SDVariable mix(SameDiff sd, SDVariable att, SDVariable v, Sequence seq) {
      return sd.mmul(att, v); // (B, nh, T, hs)
    }
  }

  /** Grouped-query attention: r = nh / n_kv query heads share a key/value head. */
  final class Grouped implements KeyValueHeads {
    private final int nh;
    private final int nKv;
    private final long hs;

    Grouped(int nh, int nKv, int hs) {
      this.nh = nh;
      this.nKv = nKv;
      this.hs = hs;
    }

    @Override
    public SDVariable scores(SameDiff sd, SDVariable q, SDVariable k, Sequence seq) {
      SDVariable qGroups = sd.reshape(q, seq.batchWith(sd, nKv, -1, hs)); // (B, n_kv, r·T, hs)
      SDVariable scores = sd.mmul(qGroups, k, false, true, false); // (B, n_kv, r·T, T)
      SDVariable shape = seq.shared("[B, nh, T, T]", () -> sd.concat(0, constant(sd, -1, nh), seq.time(), seq.time()));
      return sd.reshape(scores, shape); // (B, nh, T, T)
    }

    @Override
    public SDVariable mix(SameDiff sd, SDVariable att, SDVariable v, Sequence seq) {
      SDVariable attGroups = sd.reshape(att, seq.batchWithThenTime(sd, nKv, -1)); // (B, n_kv, r·T, T)
      SDVariable y = sd.mmul(attGroups, v); // (B, n_kv, r·T, hs)
      SDVariable shape =
          seq.shared("[B, nh, T, hs]", () -> sd.concat(0, constant(sd, -1, nh), seq.time(), constant(sd, hs)));
      return sd.reshape(y, shape); // (B, nh, T, hs)
    }

    private static SDVariable constant(SameDiff sd, long... values) {
      return sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(values));
    }
  }
}
