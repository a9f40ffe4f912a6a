package minitransformer.framework;

/**
 * The architecture of a GPT decoder. Validated on construction; a {@link ModelConfigException}
 * names the field (with nanoGPT's key names) and the bad value, for example
 * {@code n_embd (100) must be divisible by n_head (3)}.
 *
 * <p>The nine-argument constructor builds GPT-2's blocks (LayerNorm with ε 1e-5, a GELU MLP of
 * width 4C, as many key/value heads as query heads, no QK-norm, no logit cap); the {@code with...}
 * methods switch on the blocks of Llama and its successors, one at a time.
 *
 * @param vocabSize number of token ids (from the tokenizer, never from a config file)
 * @param blockSize the longest context, T
 * @param nLayer number of transformer blocks
 * @param nHead attention (query) heads per block
 * @param nEmbd embedding width C; head size is C / nHead
 * @param positionalEncoding learned or sinusoidal table at the input, rotary inside attention, or none
 * @param bias biases in the linear layers and LayerNorms (the LM head never has one, as in nanoGPT;
 *     an RMSNorm never has one, as in Llama)
 * @param tieEmbeddings the LM head reuses the token embedding matrix (transposed)
 * @param dropout drop probability in [0, 1) during training; 0 builds no dropout at all
 * @param norm LayerNorm or RMSNorm, for ln_1, ln_2 and ln_f
 * @param normEps the ε of those norms (and of QK-norm)
 * @param mlp the feed-forward network: gelu, swiglu or relu2
 * @param mlpHidden its hidden width; 0 on construction means {@link MlpKind#defaultHidden}
 * @param nKvHead key/value heads: nHead is multi-head attention, 1 multi-query, between grouped-query;
 *     0 on construction means nHead
 * @param qkNorm RMS-normalize q and k of every head (no gain) before the scores, as nanochat
 * @param logitSoftcap 0: off; else logits = cap·tanh(logits / cap)
 * @param ropeTheta the base θ of the rotary frequencies θ^(-2i/hs) (used only with rope)
 */
public record GPTConfig(
    int vocabSize,
    int blockSize,
    int nLayer,
    int nHead,
    int nEmbd,
    PositionalEncoding positionalEncoding,
    boolean bias,
    boolean tieEmbeddings,
    double dropout,
    NormKind norm,
    double normEps,
    MlpKind mlp,
    int mlpHidden,
    int nKvHead,
    boolean qkNorm,
    double logitSoftcap,
    double ropeTheta) {

  /** GPT-2's LayerNorm ε (PyTorch's default), the default of norm_eps. */
  public static final double DEFAULT_NORM_EPS = 1e-5;
  /** RoFormer's and Llama's θ. */
  public static final double DEFAULT_ROPE_THETA = 10000.0;

  public GPTConfig {
    requirePositive("vocab_size", vocabSize);
    requirePositive("block_size", blockSize);
    requirePositive("n_layer", nLayer);
    requirePositive("n_head", nHead);
    requirePositive("n_embd", nEmbd);
    if (nEmbd % nHead != 0) {
      throw new ModelConfigException(
          "n_embd (" + nEmbd + ") must be divisible by n_head (" + nHead + ")");
    }
    if (positionalEncoding == null) {
      throw new ModelConfigException(
          "positional_encoding must be one of learned, sinusoidal, rope, none (was missing)");
    }
    if (positionalEncoding == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
      throw new ModelConfigException(
          "n_embd (" + nEmbd + ") must be even for sinusoidal positional encoding");
    }
    if (positionalEncoding == PositionalEncoding.ROPE && (nEmbd / nHead) % 2 != 0) {
      throw new ModelConfigException(
          "head size n_embd / n_head (" + nEmbd / nHead + ") must be even for rope positional encoding");
    }
    if (!(dropout >= 0.0 && dropout < 1.0)) {
      throw new ModelConfigException("dropout (" + dropout + ") must be in [0, 1)");
    }
    if (norm == null) {
      throw new ModelConfigException("norm must be one of layernorm, rmsnorm (was missing)");
    }
    if (!(normEps > 0.0 && normEps < 1.0)) {
      throw new ModelConfigException("norm_eps (" + normEps + ") must be in (0, 1)");
    }
    if (mlp == null) {
      throw new ModelConfigException("mlp must be one of gelu, swiglu, relu2 (was missing)");
    }
    if (mlpHidden == 0) {
      mlpHidden = mlp.defaultHidden(nEmbd);
    }
    requirePositive("mlp_hidden", mlpHidden);
    if (nKvHead == 0) {
      nKvHead = nHead;
    }
    if (nKvHead < 1 || nKvHead > nHead || nHead % nKvHead != 0) {
      throw new ModelConfigException(
          "n_kv_head (" + nKvHead + ") must divide n_head (" + nHead + ") and be at least 1");
    }
    if (!(logitSoftcap >= 0.0) || Double.isInfinite(logitSoftcap)) {
      throw new ModelConfigException("logit_softcap (" + logitSoftcap + ") must be 0 (off) or positive");
    }
    if (!(ropeTheta > 1.0) || Double.isInfinite(ropeTheta)) {
      throw new ModelConfigException("rope_theta (" + ropeTheta + ") must be greater than 1");
    }
  }

  /** GPT-2's blocks: LayerNorm (ε 1e-5), GELU MLP of width 4C, multi-head attention, no caps. */
  public GPTConfig(
      int vocabSize,
      int blockSize,
      int nLayer,
      int nHead,
      int nEmbd,
      PositionalEncoding positionalEncoding,
      boolean bias,
      boolean tieEmbeddings,
      double dropout) {
    this(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings, dropout,
        NormKind.LAYERNORM, DEFAULT_NORM_EPS, MlpKind.GELU, 0, 0, false, 0.0, DEFAULT_ROPE_THETA);
  }

  /** hs = C / nh, the width of one attention head. */
  public int headSize() {
    return nEmbd / nHead;
  }

  /** What the model reads of a sequence of token ids: its last block_size of them (all of them when they fit). */
  public int[] context(int[] ids) {
    return ids.length <= blockSize ? ids : java.util.Arrays.copyOfRange(ids, ids.length - blockSize, ids.length);
  }

  /** Query heads per key/value head, nh / n_kv_head (1 without grouping). */
  public int queriesPerKvHead() {
    return nHead / nKvHead;
  }

  /** Whether every block is GPT-2's (RawScores recomputes those by hand and reads the graph's scores for others). */
  public boolean hasGpt2Blocks() {
    return positionalEncoding.addsTable() && norm == NormKind.LAYERNORM && mlp == MlpKind.GELU
        && mlpHidden == 4 * nEmbd && nKvHead == nHead && !qkNorm && logitSoftcap == 0.0
        && normEps == DEFAULT_NORM_EPS;
  }

  /**
   * The blocks in one line, e.g. {@code rope (theta 10000), rmsnorm (eps 1e-05), swiglu MLP of 11008,
   * 8 key/value heads for 32 query heads, qk_norm, logit softcap 15}.
   */
  public String blocksSummary() {
    StringBuilder b = new StringBuilder(positionalEncoding.key());
    if (positionalEncoding == PositionalEncoding.ROPE) {
      b.append(" (theta ").append(fmt(ropeTheta)).append(')');
    }
    b.append(", ").append(norm.key()).append(" (eps ").append(fmt(normEps)).append("), ")
        .append(mlp.key()).append(" MLP of ").append(mlpHidden).append(", ")
        .append(nKvHead).append(" key/value heads for ").append(nHead).append(" query heads");
    if (qkNorm) {
      b.append(", qk_norm");
    }
    if (logitSoftcap > 0) {
      b.append(", logit softcap ").append(fmt(logitSoftcap));
    }
    return b.toString();
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  public GPTConfig withPositionalEncoding(PositionalEncoding pe) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, pe, bias, tieEmbeddings, dropout,
        norm, normEps, mlp, mlpHidden, nKvHead, qkNorm, logitSoftcap, ropeTheta);
  }

  public GPTConfig withRopeTheta(double theta) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings,
        dropout, norm, normEps, mlp, mlpHidden, nKvHead, qkNorm, logitSoftcap, theta);
  }

  public GPTConfig withNorm(NormKind kind, double eps) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings,
        dropout, kind, eps, mlp, mlpHidden, nKvHead, qkNorm, logitSoftcap, ropeTheta);
  }

  /** hidden 0: the kind's default width. */
  public GPTConfig withMlp(MlpKind kind, int hidden) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings,
        dropout, norm, normEps, kind, hidden, nKvHead, qkNorm, logitSoftcap, ropeTheta);
  }

  public GPTConfig withKvHeads(int kvHeads) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings,
        dropout, norm, normEps, mlp, mlpHidden, kvHeads, qkNorm, logitSoftcap, ropeTheta);
  }

  public GPTConfig withQkNorm(boolean on) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings,
        dropout, norm, normEps, mlp, mlpHidden, nKvHead, on, logitSoftcap, ropeTheta);
  }

  public GPTConfig withLogitSoftcap(double cap) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings,
        dropout, norm, normEps, mlp, mlpHidden, nKvHead, qkNorm, cap, ropeTheta);
  }

  private static void requirePositive(String key, int value) {
    if (value <= 0) {
      throw new ModelConfigException(key + " (" + value + ") must be positive");
    }
  }
}
