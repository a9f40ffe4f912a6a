package minitransformer.training.config;

import static minitransformer.training.config.Schema.BIAS;
import static minitransformer.training.config.Schema.BLOCK_SIZE;
import static minitransformer.training.config.Schema.DROPOUT;
import static minitransformer.training.config.Schema.N_EMBD;
import static minitransformer.training.config.Schema.N_HEAD;
import static minitransformer.training.config.Schema.N_LAYER;
import static minitransformer.training.config.Schema.POSITIONAL_ENCODING;
import static minitransformer.training.config.Schema.TIE_EMBEDDINGS;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.PositionalEncoding;

/** The {@code model} section: the architecture. The vocabulary size comes from the data. */
public record ModelSection(
    int nLayer,
    int nHead,
    int nEmbd,
    int blockSize,
    double dropout,
    boolean bias,
    boolean tieEmbeddings,
    PositionalEncoding positionalEncoding) {

  public ModelSection {
    Check.atLeast(N_LAYER, nLayer, 1);
    Check.atLeast(N_HEAD, nHead, 1);
    Check.atLeast(N_EMBD, nEmbd, 1);
    if (nEmbd % nHead != 0) {
      throw new InvalidValueException(
          N_EMBD, nEmbd, "must be divisible by " + N_HEAD.path() + " (" + nHead + ")");
    }
    Check.atLeast(BLOCK_SIZE, blockSize, 1);
    Check.inHalfOpen(DROPOUT, dropout, 0.0, 1.0);
    Check.notNull(POSITIONAL_ENCODING, positionalEncoding);
    if (positionalEncoding == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
      throw new InvalidValueException(N_EMBD, nEmbd, "must be even for sinusoidal positional encoding");
    }
  }

  static ModelSection from(Values v) {
    return new ModelSection(
        v.integer(N_LAYER),
        v.integer(N_HEAD),
        v.integer(N_EMBD),
        v.integer(BLOCK_SIZE),
        v.real(DROPOUT),
        v.bool(BIAS),
        v.bool(TIE_EMBEDDINGS),
        PositionalEncoding.valueOf(v.string(POSITIONAL_ENCODING).toUpperCase(Locale.ROOT)));
  }

  /** The framework's model config, with the vocabulary size of the run's tokenizer. */
  public GPTConfig toGptConfig(int vocabSize) {
    return new GPTConfig(
        vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings, dropout);
  }

  Map<Key, Object> values() {
    Map<Key, Object> m = new LinkedHashMap<>();
    m.put(N_LAYER, nLayer);
    m.put(N_HEAD, nHead);
    m.put(N_EMBD, nEmbd);
    m.put(BLOCK_SIZE, blockSize);
    m.put(DROPOUT, dropout);
    m.put(BIAS, bias);
    m.put(TIE_EMBEDDINGS, tieEmbeddings);
    m.put(POSITIONAL_ENCODING, positionalEncoding.name().toLowerCase(Locale.ROOT));
    return m;
  }
}
