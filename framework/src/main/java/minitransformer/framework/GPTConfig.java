package minitransformer.framework;

/**
 * The architecture of a GPT decoder. Validated on construction; a {@link ModelConfigException}
 * names the field (with nanoGPT's key names) and the bad value, for example
 * {@code n_embd (100) must be divisible by n_head (3)}.
 *
 * @param vocabSize number of token ids (from the tokenizer, never from a config file)
 * @param blockSize the longest context, T
 * @param nLayer number of transformer blocks
 * @param nHead attention heads per block
 * @param nEmbd embedding width C; head size is C / nHead
 * @param positionalEncoding learned table or fixed sinusoids
 * @param bias biases in the linear layers and LayerNorms (the LM head never has one, as in nanoGPT)
 * @param tieEmbeddings the LM head reuses the token embedding matrix (transposed)
 * @param dropout drop probability in [0, 1) during training; 0 builds no dropout at all
 * @param layerNormEps the ε of every LayerNorm, √(σ² + ε) ({@value #DEFAULT_LAYER_NORM_EPS} unless a
 *     model read from elsewhere, such as a Hugging Face GPT-2, says otherwise)
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
    double layerNormEps) {

  /** The ε of PyTorch's LayerNorm and GPT-2's {@code layer_norm_epsilon}, the ε of every model trained here. */
  public static final double DEFAULT_LAYER_NORM_EPS = 1e-5;

  /** A model with the default LayerNorm ε. */
  public GPTConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd,
      PositionalEncoding positionalEncoding, boolean bias, boolean tieEmbeddings, double dropout) {
    this(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings, dropout,
        DEFAULT_LAYER_NORM_EPS);
  }

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
          "positional_encoding must be one of learned, sinusoidal (was missing)");
    }
    if (positionalEncoding == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
      throw new ModelConfigException(
          "n_embd (" + nEmbd + ") must be even for sinusoidal positional encoding");
    }
    if (!(dropout >= 0.0 && dropout < 1.0)) {
      throw new ModelConfigException("dropout (" + dropout + ") must be in [0, 1)");
    }
    if (!(layerNormEps > 0.0 && layerNormEps < 1.0)) {
      throw new ModelConfigException("layer_norm_eps (" + layerNormEps + ") must be in (0, 1)");
    }
  }

  /** hs = C / nh, the width of one attention head. */
  public int headSize() {
    return nEmbd / nHead;
  }

  private static void requirePositive(String key, int value) {
    if (value <= 0) {
      throw new ModelConfigException(key + " (" + value + ") must be positive");
    }
  }
}
