package minitransformer.framework;

/**
 * The architecture of a GPT decoder. Validated on construction; a {@link ModelConfigException}
 * names the field and the bad value (for example n_embd not divisible by n_head).
 *
 * @param vocabSize number of token ids (from the tokenizer, never from a config file)
 * @param blockSize the longest context, T
 * @param nLayer number of transformer blocks
 * @param nHead attention heads per block
 * @param nEmbd embedding width C; head size is C / nHead
 * @param positionalEncoding learned table or fixed sinusoids
 * @param bias biases in the linear layers and LayerNorms
 * @param tieEmbeddings the LM head reuses the token embedding matrix (transposed)
 * @param dropout drop probability in [0, 1) during training; 0 builds no dropout at all
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
    double dropout) {
  // CONTRACT (skeleton): the framework implementation adds validation and headSize().
}
