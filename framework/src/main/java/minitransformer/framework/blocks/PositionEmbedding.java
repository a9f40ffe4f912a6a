package minitransformer.framework.blocks;

import minitransformer.framework.Names;
import minitransformer.framework.PositionalEncoding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Positional encoding: adds row t of a [block_size, C] table to the token embedding at position t.
 * The table is either learned (GPT-2's wpe, initialised N(0, 0.02²)) or the fixed sinusoids of
 * "Attention Is All You Need", PE[t, 2i] = sin(t / 10000^(2i/C)), PE[t, 2i+1] = cos(...), scaled
 * by {@link #SINUSOID_SCALE}. With rope or none nothing is added at the input (rope rotates q and k
 * inside attention, {@link Rotary}): the table is absent and {@link #apply} returns the tokens.
 *
 * <p>Scale: raw sinusoids have amplitude 1 (RMS 1/√2 per component), 50 times the 0.02 standard
 * deviation of fresh token embeddings, so the position would swamp the token. Scaling by 0.02·√2
 * gives the sinusoids the same RMS (0.02) as the token embeddings at initialisation.
 */
public final class PositionEmbedding {
  /** Amplitude of the fixed sinusoids: RMS equal to the token embeddings' initial std. */
  public static final double SINUSOID_SCALE = ParameterFactory.INIT_STD * Math.sqrt(2.0);

  private final int nEmbd;
  private final SDVariable wpe; // (block_size, C), or null when no table is added

  public PositionEmbedding(
      SameDiff sd,
      ParameterFactory params,
      PositionalEncoding kind,
      int blockSize,
      int nEmbd) {
    this.nEmbd = nEmbd;
    this.wpe =
        switch (kind) {
          case LEARNED -> params.normal(Names.WPE, ParameterFactory.INIT_STD, blockSize, nEmbd);
          case SINUSOIDAL -> sd.constant(
              Names.WPE,
              Nd4j.createFromArray(sinusoids(blockSize, nEmbd, SINUSOID_SCALE))
                  .castTo(params.dataType()));
          case ROPE, NONE -> null;
        };
  }

  /** tok (B*T, C) -> tok + wpe[0:T] broadcast over the batch, (B*T, C); tok itself without a table. */
  public SDVariable apply(SameDiff sd, SDVariable tok, Sequence seq) {
    if (wpe == null) {
      return tok; // (B*T, C): rope or none
    }
    SDVariable origin = sd.constant(Nd4j.createFromArray(0L, 0L));
    SDVariable pos = sd.slice(wpe, origin, seq.timeWith(sd, nEmbd)); // (T, C)
    SDVariable tok3 = sd.reshape(tok, seq.shapeWith(sd, nEmbd)); // (B, T, C)
    SDVariable x = tok3.add(pos); // (B, T, C)
    return sd.reshape(x, -1, nEmbd); // (B*T, C)
  }

  /** The fixed table, scale · [sin, cos] interleaved, [positions, C] (C even). */
  public static double[][] sinusoids(int positions, int nEmbd, double scale) {
    double[][] table = new double[positions][nEmbd];
    for (int t = 0; t < positions; t++) {
      for (int i = 0; i < nEmbd / 2; i++) {
        double angle = t / Math.pow(10000.0, (2.0 * i) / nEmbd);
        table[t][2 * i] = scale * Math.sin(angle);
        table[t][2 * i + 1] = scale * Math.cos(angle);
      }
    }
    return table;
  }

}
