package minitransformer.framework;

/**
 * Every graph variable and output name, built in this one place, so that checkpoints, exports and
 * the attention viewer agree. Names are hierarchical like nanoGPT's state dict: {@code h0/attn/W_Q}.
 *
 * <p>Matrices are stored [in, out] and used as x·W (nanoGPT's nn.Linear stores [out, in]).
 */
public final class Names {
  private Names() {}

  // ---- placeholders and model outputs
  /** Token ids, INT32 [B, T]. */
  public static final String INPUT = "input";
  /** Next-token ids, INT32 [B, T]. */
  public static final String TARGETS = "targets";
  /** Logits [B, T, vocab_size]. */
  public static final String LOGITS = "logits";
  /** Mean cross-entropy, a scalar. */
  public static final String LOSS = "loss";

  // ---- embeddings
  /** Token embedding table [vocab_size, C]. */
  public static final String WTE = "wte";
  /** Positional table [block_size, C]: a parameter when learned, a constant when sinusoidal; absent otherwise. */
  public static final String WPE = "wpe";
  /** Token plus position embedding, [B, T, C] (before dropout). */
  public static final String EMBEDDINGS_OUT = "emb/out";
  /** Dropout mask after the embeddings, [B*T, C]. */
  public static final String EMBEDDINGS_DROPOUT_MASK = "emb/dropout_mask";
  /** The rotary tables cos(t·θ_i) and sin(t·θ_i), [block_size, 1, hs] constants (rope only). */
  public static final String ROPE_COS = "rope/cos";

  public static final String ROPE_SIN = "rope/sin";
  /** The constant [hs, hs] matrix R with x·R = rotate_half(x) (rope only). */
  public static final String ROPE_ROTATE_HALF = "rope/rotate_half";
  /** The additive causal mask constant [block_size, block_size]: 0 on and below the diagonal. */
  public static final String CAUSAL_MASK = "causal_mask";

  // ---- final LayerNorm and LM head
  public static final String LN_F = "ln_f";
  /** Output of the final LayerNorm, [B, T, C]. */
  public static final String LN_F_OUT = "ln_f/out";
  /** LM head matrix [C, vocab_size]; absent when the embeddings are tied. */
  public static final String LM_HEAD_W = "lm_head/W";

  // ---- scopes
  /** The scope of transformer block i: "h0", "h1", ... */
  public static String block(int i) {
    return "h" + i;
  }

  public static String ln1(int i) {
    return block(i) + "/ln_1";
  }

  public static String ln2(int i) {
    return block(i) + "/ln_2";
  }

  public static String attn(int i) {
    return block(i) + "/attn";
  }

  public static String mlp(int i) {
    return block(i) + "/mlp";
  }

  // ---- LayerNorm parameters within a scope ("h0/ln_1", "ln_f")
  public static String gamma(String layerNormScope) {
    return layerNormScope + "/gamma";
  }

  public static String beta(String layerNormScope) {
    return layerNormScope + "/beta";
  }

  // ---- attention
  public static String wQ(int i) {
    return attn(i) + "/W_Q";
  }

  public static String wK(int i) {
    return attn(i) + "/W_K";
  }

  public static String wV(int i) {
    return attn(i) + "/W_V";
  }

  public static String wO(int i) {
    return attn(i) + "/W_O";
  }

  public static String bQ(int i) {
    return attn(i) + "/b_Q";
  }

  public static String bK(int i) {
    return attn(i) + "/b_K";
  }

  public static String bV(int i) {
    return attn(i) + "/b_V";
  }

  public static String bO(int i) {
    return attn(i) + "/b_O";
  }

  /** The scores q·kᵀ/√hs of block i before the causal mask, [B, nh, T, T] (every option applied). */
  public static String attentionScores(int i) {
    return attn(i) + "/scores";
  }

  /** The softmax attention pattern of block i, [B, nh, T, T] (before dropout). */
  public static String attentionProbs(int i) {
    return attn(i) + "/probs";
  }

  /** Dropout mask on the attention pattern, [B, nh, T, T]. */
  public static String attentionDropoutMask(int i) {
    return attn(i) + "/probs_dropout_mask";
  }

  /** Dropout mask after the attention output projection, [B*T, C]. */
  public static String residualDropoutMask(int i) {
    return attn(i) + "/resid_dropout_mask";
  }

  // ---- MLP
  public static String wFc(int i) {
    return mlp(i) + "/W_fc";
  }

  public static String bFc(int i) {
    return mlp(i) + "/b_fc";
  }

  public static String wProj(int i) {
    return mlp(i) + "/W_proj";
  }

  public static String bProj(int i) {
    return mlp(i) + "/b_proj";
  }

  // ---- gated MLP (SwiGLU): Llama's gate_proj, up_proj, down_proj
  public static String wGate(int i) {
    return mlp(i) + "/W_gate";
  }

  public static String bGate(int i) {
    return mlp(i) + "/b_gate";
  }

  public static String wUp(int i) {
    return mlp(i) + "/W_up";
  }

  public static String bUp(int i) {
    return mlp(i) + "/b_up";
  }

  public static String wDown(int i) {
    return mlp(i) + "/W_down";
  }

  public static String bDown(int i) {
    return mlp(i) + "/b_down";
  }

  /** Dropout mask after the MLP, [B*T, C]. */
  public static String mlpDropoutMask(int i) {
    return mlp(i) + "/dropout_mask";
  }

  /** The residual stream after block i, [B, T, C]. */
  public static String blockOut(int i) {
    return block(i) + "/out";
  }
}
