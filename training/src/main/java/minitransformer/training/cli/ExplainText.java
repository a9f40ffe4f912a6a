package minitransformer.training.cli;

import static minitransformer.framework.analysis.Arrays2.norm;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;
import minitransformer.framework.analysis.AttentionExplanation;
import minitransformer.framework.analysis.HeadSelection;
import minitransformer.training.TrainedModel;

/**
 * What {@code attention --explain} prints: one query position's q·k calculation per block and head.
 * The lines of the block options (the norm, grouped-query attention, rope, QK-norm) appear only in a
 * model that uses them; a GPT-2 model prints its textbook steps alone.
 */
final class ExplainText {
  private ExplainText() {}

  static void print(PrintWriter o, TrainedModel loaded, int[] ids, List<String> labels, int t, HeadSelection shown,
      boolean vectors) {
    GPTConfig config = loaded.gpt().config();
    int hs = config.headSize();
    o.printf(Locale.ROOT, "prompt: %d tokens; query position %d \"%s\"; head size hs = %d, scale 1/√hs = %.4f%n",
        ids.length, t, labels.get(t), hs, 1.0 / Math.sqrt(hs));
    for (int l : shown.layers(config.nLayer())) {
      AttentionExplanation e = AttentionExplanation.of(loaded.gpt(), ids, l, t);
      o.printf(Locale.ROOT, "%n== block %d: x = residual stream into h%d at position %d (|x| = %.4f), x̂ = ln_1(x)%n",
          l, l, t, norm(e.residualIn()));
      o.println(config.bias()
          ? "   q = x̂_t·W_Q + b_Q;  k_s = x̂_s·W_K + b_K;  v_s = x̂_s·W_V + b_V;  score = q·k / √hs;"
              + " weights = softmax(score)"
          : "   q = x̂_t·W_Q;  k_s = x̂_s·W_K;  v_s = x̂_s·W_V;  score = q·k / √hs;  weights = softmax(score)"
              + "  (no biases: model.bias is false)");
      blockOptions(o, config, e);
      for (int hi : shown.heads(config.nHead())) {
        AttentionExplanation.Head h = e.heads().get(hi);
        o.printf(Locale.ROOT, "%n-- block %d, head %d (|q| = %.4f)%n", l, h.head(), norm(h.query()));
        headOptions(o, e, h, t, vectors);
        o.printf(Locale.ROOT, "   %-4s %-14s %10s %10s %8s %10s%n", "key", "token", "q·k", "q·k/√hs", "weight", "|w·v|");
        for (int s = 0; s < ids.length; s++) {
          String token = AttentionCommand.clip(labels.get(s));
          if (h.masked(s)) {
            o.printf(Locale.ROOT, "   %-4d %-14s %10s %10s %8s %10s%n", s, token, "masked", "-inf", "0", "-");
          } else {
            o.printf(Locale.ROOT, "   %-4d %-14s %10.4f %10.4f %8.4f %10.4f%n", s, token, h.dots()[s], h.scores()[s],
                h.weights()[s], h.contributionNorm(s));
          }
        }
        if (vectors) {
          o.println("   q = " + vector(h.query()));
          for (int s = 0; s <= t; s++) {
            o.printf(Locale.ROOT, "   s=%d k = %s%n", s, vector(h.keys()[s]));
            o.printf(Locale.ROOT, "   s=%d v = %s%n", s, vector(h.values()[s]));
            o.printf(Locale.ROOT, "   s=%d w·v = %s%n", s, vector(h.contributions()[s]));
          }
        }
        o.printf(Locale.ROOT, "   head output = Σ w·v (|.| = %.4f) = %s%n", norm(h.output()), vector(h.output()));
      }
      o.printf(Locale.ROOT, "%n   concat(heads)·W_O%s: |y| = %.4f; residual x + y: |x + y| = %.4f%n",
          config.bias() ? " + b_O" : "", norm(e.projected()), norm(e.residualOut()));
      o.printf(Locale.ROOT, "   check against the graph: max |weight - h%d/attn/probs| = %.2e, "
              + "max |(x + y) + mlp(ln_2(x + y)) - h%d/out| = %.2e%n",
          l, e.maxWeightDifference(), l, e.maxBlockOutDifference());
    }
    o.flush();
  }

  /** The block's option lines, in the order the graph applies them; none for GPT-2's blocks. */
  private static void blockOptions(PrintWriter o, GPTConfig config, AttentionExplanation e) {
    if (config.norm() == NormKind.RMSNORM) {
      o.printf(Locale.ROOT, "   rmsnorm: ln_1(x) = x / √(mean(x²) + %s) · γ (no centring, no β)%n", eps(config));
    } else if (config.normEps() != GPTConfig.DEFAULT_NORM_EPS) {
      o.printf(Locale.ROOT, "   layernorm: ln_1(x) = (x - μ) / √(σ² + %s) · γ + β%n", eps(config));
    }
    if (e.grouped()) {
      o.printf(Locale.ROOT, "   grouped-query: %d query heads share %d key/value heads; query head h reads key/value"
          + " head h / %d%n", e.heads().size(), e.kvHeads(), config.queriesPerKvHead());
    }
    if (e.rotary()) {
      o.printf(Locale.ROOT, "   rotary: q and k rotated by t·θ_i, θ_i = %s^(-2i/hs), pair (i, i+hs/2); angles at t=%d:"
          + " %s%n", fmt(config.ropeTheta()), e.position(), vector(e.angles()));
    } else if (config.positionalEncoding() == PositionalEncoding.NONE) {
      o.println("   no positions: positional_encoding none (the causal mask alone tells the order)");
    }
    if (e.qkNorm()) {
      o.printf(Locale.ROOT, "   qk_norm: q and k divided by their rms over hs (eps %s), so |q| = |k| ≈ √hs and"
          + " |q·k/√hs| ≤ √hs%n", eps(config));
    }
  }

  /** One head's option lines: its key/value head, q·k before rope, q and k before and after QK-norm. */
  private static void headOptions(PrintWriter o, AttentionExplanation e, AttentionExplanation.Head h, int t,
      boolean vectors) {
    if (e.grouped()) {
      o.printf(Locale.ROOT, "   grouped-query: query head %d reads key/value head %d%n", h.head(), h.kvHead());
    }
    if (e.rotary()) {
      double[] before = h.projectedDots();
      o.printf(Locale.ROOT, "   rotary: q·k_s before rotation (s = 0..%d) = %s; the rotation keeps |q| = %.4f%n",
          t, vector(before), norm(h.queryProjected()));
      if (vectors) {
        o.println("   q before rotation = " + vector(h.queryProjected()));
        o.println("   q after rotation  = " + vector(h.queryRotated()));
        for (int s = 0; s <= t; s++) {
          o.printf(Locale.ROOT, "   s=%d k before rotation = %s; after = %s%n", s, vector(h.keysProjected()[s]),
              vector(h.keysRotated()[s]));
        }
      }
    }
    if (e.qkNorm()) {
      double[] kBefore = new double[t + 1];
      double[] kAfter = new double[t + 1];
      for (int s = 0; s <= t; s++) {
        kBefore[s] = norm(h.keyBeforeNorm(s));
        kAfter[s] = norm(h.keys()[s]);
      }
      o.printf(Locale.ROOT, "   qk_norm: |q| %.4f before, %.4f after; |k_s| before = %s, after = %s%n",
          norm(h.queryBeforeNorm()), norm(h.query()), vector(kBefore), vector(kAfter));
      if (vectors) {
        o.println("   q before qk_norm = " + vector(h.queryBeforeNorm()));
      }
    }
  }

  private static String eps(GPTConfig config) {
    return fmt(config.normEps());
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  static String vector(double[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
    }
    return b.append(']').toString();
  }
}
