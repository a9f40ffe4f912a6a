package minitransformer.training.optim;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Muon (Keller Jordan, "Muon: An optimizer for hidden layers in neural networks", 2024; the
 * {@code SingleDeviceMuonWithAuxAdam} of his muon.py): SGD with Nesterov momentum whose update of
 * each hidden weight matrix ({@link HiddenMatrices}) is orthogonalized by five Newton–Schulz
 * iterations, and {@link AdamW} for every other parameter.
 *
 * <pre>
 *   M  = β·M + (1 - β)·G                   momentum buffer (muon.py: momentum.lerp_(grad, 1 - β))
 *   U  = (1 - β)·G + β·M                   Nesterov (grad.lerp_(momentum, β))
 *   O  = NS5(U) ≈ U·(UᵀU)^(-1/2)           {@link #orthogonalize}: singular values near 1
 *   W  = W·(1 - η·λ) - η·√max(1, out/in)·O
 * </pre>
 *
 * <p>η, Muon's rate, follows the same schedule as AdamW's, as in modded-nanogpt: the step's
 * multiplier (warm-up, cosine) times {@code training.muon_learning_rate}, i.e.
 * η = muon_learning_rate · lr / learning_rate. λ is {@code training.muon_weight_decay}, decoupled as
 * muon.py's {@code p.mul_(1 - lr·weight_decay)} (0 by default, as muon.py).
 *
 * <p>Shapes: this framework stores a matrix [in, out] (x·W), PyTorch's nn.Linear [out, in]; muon.py's
 * scale max(1, rows/cols)^0.5 on [out, in] is max(1, out/in)^0.5 here: √4 = 2 for the MLP's W_fc
 * [C, 4C], 1 for W_proj [4C, C] and the square attention matrices. The Newton–Schulz iteration is
 * transpose-equivariant, so running it on Wᵀ's layout gives the same O.
 *
 * <p>Precision: the reference runs Newton–Schulz in bfloat16 on the GPU; here it runs in the
 * parameter's own type (float32 when training, float64 in the gradient-check tests) on the CPU.
 */
public final class Muon implements Optimizer {
  /** The quintic's coefficients (muon.py): X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ. */
  public static final double A = 3.4445;

  public static final double B = -4.7750;
  public static final double C = 2.0315;
  public static final int NEWTON_SCHULZ_STEPS = 5;
  /** Added to the Frobenius norm before the division that brings every singular value to at most 1. */
  public static final double NORM_EPSILON = 1e-7;
  /** The key prefix of a momentum buffer in the optimizer state: "momentum/" + name. */
  public static final String MOMENTUM = "momentum/";

  /**
   * Muon's settings.
   *
   * @param learningRate η at the schedule's peak ({@code training.muon_learning_rate})
   * @param momentum β ({@code training.muon_momentum})
   * @param weightDecay λ ({@code training.muon_weight_decay})
   * @param peakLearningRate the schedule's peak, {@code training.learning_rate}: the step's
   *     multiplier is its rate divided by this
   */
  public record Settings(double learningRate, double momentum, double weightDecay, double peakLearningRate) {
    public Settings {
      if (!(learningRate > 0) || !(peakLearningRate > 0)) {
        throw new IllegalArgumentException("learning rates must be > 0: " + learningRate + ", " + peakLearningRate);
      }
      if (!(momentum >= 0 && momentum < 1)) {
        throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
      }
      if (!(weightDecay >= 0)) {
        throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
      }
    }
  }

  private final Map<String, INDArray> matrices;
  private final Settings settings;
  private final AdamW rest;
  private final Map<String, INDArray> momentum = new LinkedHashMap<>();

  /**
   * @param matrices the hidden matrices ({@link HiddenMatrices#matrices()}), updated in place
   * @param rest AdamW over every other parameter ({@link HiddenMatrices#rest()})
   */
  public Muon(Map<String, INDArray> matrices, Settings settings, AdamW rest) {
    this.matrices = matrices;
    this.settings = settings;
    this.rest = rest;
    matrices.forEach((name, w) -> {
      if (w.rank() != 2) {
        throw new IllegalArgumentException(name + " is not a matrix: shape " + Arrays.toString(w.shape()));
      }
      INDArray buffer = w.ulike();
      buffer.assign(0);
      momentum.put(name, buffer);
    });
  }

  @Override
  public Kind kind() {
    return Kind.MUON;
  }

  /** The matrices Muon updates (AdamW updates the rest). */
  public Set<String> muonParameters() {
    return Collections.unmodifiableSet(matrices.keySet());
  }

  /** Muon's rate η at a step whose schedule gives AdamW the rate lr. */
  public double muonLearningRate(double lr) {
    return settings.learningRate() * lr / settings.peakLearningRate();
  }

  @Override
  public void step(Map<String, INDArray> gradients, double lr) {
    double eta = muonLearningRate(lr);
    double beta = settings.momentum();
    for (Map.Entry<String, INDArray> entry : matrices.entrySet()) {
      String name = entry.getKey();
      INDArray w = entry.getValue(); // (in, out)
      INDArray g = gradients.get(name);
      if (g == null) {
        throw new IllegalArgumentException("no gradient for parameter " + name);
      }
      INDArray m = momentum.get(name);
      INDArray scaledGrad = (g.dataType() == w.dataType() ? g : g.castTo(w.dataType())).mul(1 - beta);
      m.muli(beta).addi(scaledGrad); //                     M = β·M + (1 - β)·G
      INDArray u = m.mul(beta).addi(scaledGrad); //        U = (1 - β)·G + β·M
      INDArray o = orthogonalize(u); //                     O = NS5(U)      (in, out)
      if (settings.weightDecay() != 0) {
        w.muli(1 - eta * settings.weightDecay());
      }
      w.subi(o.muli(eta * shapeScale(w)));
      free(scaledGrad, u, o);
    }
    rest.step(gradients, lr);
  }

  /**
   * muon.py's max(1, rows/cols)^0.5 for a matrix stored [in, out]: √max(1, out/in), so that the
   * update's RMS does not shrink for matrices wider in their output than their input.
   */
  public static double shapeScale(INDArray w) {
    return Math.sqrt(Math.max(1.0, (double) w.columns() / w.rows()));
  }

  /**
   * Newton–Schulz orthogonalization, muon.py's {@code zeropower_via_newtonschulz5}: G divided by its
   * Frobenius norm (so every singular value is at most 1), then five quintic iterations that push
   * every singular value that is not tiny into about [0.7, 1.2] while keeping the singular vectors:
   * the result is roughly U·Vᵀ of G = U·S·Vᵀ. Works on the wide orientation (rows ≤ columns), where
   * A = X·Xᵀ is the smaller matrix, and turns the result back. Returns a new array; g is unchanged.
   */
  public static INDArray orthogonalize(INDArray g) {
    boolean tall = g.rows() > g.columns();
    INDArray wide = tall ? g.transpose() : g; //                  X: (r, c) with r <= c
    INDArray x = wide.div(wide.norm2Number().doubleValue() + NORM_EPSILON);
    for (int i = 0; i < NEWTON_SCHULZ_STEPS; i++) {
      INDArray a = x.mmul(x.transpose()); //                      A = X·Xᵀ          (r, r)
      INDArray a2 = a.mmul(a); //                                 A²                (r, r)
      INDArray b = a.mul(B).addi(a2.muli(C)); //                  b·A + c·A²        (r, r)
      INDArray bx = b.mmul(x); //                                 (b·A + c·A²)·X    (r, c)
      INDArray next = x.mul(A).addi(bx); //                       a·X + (b·A + c·A²)·X
      free(a, a2, b, bx, x);
      x = next;
    }
    if (!tall) {
      return x;
    }
    INDArray turned = x.transpose().dup('c'); //                  (rows, cols) of g
    free(x);
    return turned;
  }

  /** Frees step-local arrays now rather than at the next garbage collection. */
  private static void free(INDArray... arrays) {
    for (INDArray a : arrays) {
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
  }

  @Override
  public long stepCount() {
    return rest.stepCount();
  }

  /** AdamW's moments of the rest ("m/", "v/" + name), then Muon's buffers ("momentum/" + name). */
  @Override
  public Map<String, INDArray> state() {
    Map<String, INDArray> state = new LinkedHashMap<>(rest.state());
    momentum.forEach((name, m) -> state.put(MOMENTUM + name, m));
    return Collections.unmodifiableMap(state);
  }

  @Override
  public void restore(Map<String, INDArray> state, long stepCount) {
    rest.restore(state, stepCount);
    momentum.forEach((name, m) -> {
      String key = MOMENTUM + name;
      INDArray saved = state.get(key);
      if (saved == null) {
        throw new IllegalArgumentException("optimizer state has no " + key);
      }
      if (!Arrays.equals(saved.shape(), m.shape())) {
        throw new IllegalArgumentException("optimizer state " + key + " has shape " + Arrays.toString(saved.shape())
            + ", expected " + Arrays.toString(m.shape()));
      }
      m.assign(saved);
    });
  }
}
