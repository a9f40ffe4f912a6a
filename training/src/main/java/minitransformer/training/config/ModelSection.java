package minitransformer.training.config;

import static minitransformer.training.config.Schema.BIAS;
import static minitransformer.training.config.Schema.BLOCK_SIZE;
import static minitransformer.training.config.Schema.DROPOUT;
import static minitransformer.training.config.Schema.LOGIT_SOFTCAP;
import static minitransformer.training.config.Schema.MLP;
import static minitransformer.training.config.Schema.MLP_HIDDEN;
import static minitransformer.training.config.Schema.NORM;
import static minitransformer.training.config.Schema.NORM_EPS;
import static minitransformer.training.config.Schema.N_EMBD;
import static minitransformer.training.config.Schema.N_HEAD;
import static minitransformer.training.config.Schema.N_KV_HEAD;
import static minitransformer.training.config.Schema.N_LAYER;
import static minitransformer.training.config.Schema.POSITIONAL_ENCODING;
import static minitransformer.training.config.Schema.QK_NORM;
import static minitransformer.training.config.Schema.ROPE_THETA;
import static minitransformer.training.config.Schema.TIE_EMBEDDINGS;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.MlpKind;
import minitransformer.framework.NormKind;
import minitransformer.framework.PositionalEncoding;

/**
 * The {@code model} section: the architecture. The vocabulary size comes from the data. mlpHidden
 * and nKvHead hold their resolved values (the defaults of {@link MlpKind#defaultHidden} and n_head
 * when the file leaves them out).
 */
public record ModelSection(
    int nLayer,
    int nHead,
    int nEmbd,
    int blockSize,
    double dropout,
    boolean bias,
    boolean tieEmbeddings,
    PositionalEncoding positionalEncoding,
    double ropeTheta,
    NormKind norm,
    double normEps,
    MlpKind mlp,
    int mlpHidden,
    int nKvHead,
    boolean qkNorm,
    double logitSoftcap) {

  public ModelSection {
    Check.atLeast(N_LAYER, nLayer, 1);
    Check.atLeast(N_HEAD, nHead, 1);
    Check.atLeast(N_EMBD, nEmbd, 1);
    if (nEmbd % nHead != 0) {
      throw new InvalidValueException(
          N_EMBD, nEmbd, "must be divisible by " + N_HEAD.path() + " (" + nHead + ")", N_HEAD);
    }
    Check.atLeast(BLOCK_SIZE, blockSize, 1);
    Check.inHalfOpen(DROPOUT, dropout, 0.0, 1.0);
    Check.notNull(POSITIONAL_ENCODING, positionalEncoding);
    if (positionalEncoding == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
      throw new InvalidValueException(N_EMBD, nEmbd, "must be even for sinusoidal positional encoding", POSITIONAL_ENCODING);
    }
    if (positionalEncoding == PositionalEncoding.ROPE && (nEmbd / nHead) % 2 != 0) {
      throw new InvalidValueException(N_EMBD, nEmbd, "must give an even head size n_embd / n_head (here "
          + nEmbd / nHead + ") for rope positional encoding", N_HEAD, POSITIONAL_ENCODING);
    }
    if (!(ropeTheta > 1.0) || Double.isInfinite(ropeTheta)) {
      throw new InvalidValueException(ROPE_THETA, ropeTheta, "must be a finite number > 1");
    }
    Check.notNull(NORM, norm);
    Check.inOpen(NORM_EPS, normEps, 0.0, 1.0);
    Check.notNull(MLP, mlp);
    Check.atLeast(MLP_HIDDEN, mlpHidden, 1);
    Check.atLeast(N_KV_HEAD, nKvHead, 1);
    if (nKvHead > nHead || nHead % nKvHead != 0) {
      throw new InvalidValueException(
          N_KV_HEAD, nKvHead, "must divide " + N_HEAD.path() + " (" + nHead + ")", N_HEAD);
    }
    Check.nonNegative(LOGIT_SOFTCAP, logitSoftcap);
  }

  static ModelSection from(Values v) {
    MlpKind mlp = MlpKind.valueOf(v.string(MLP).toUpperCase(Locale.ROOT));
    return new ModelSection(
        v.integer(N_LAYER),
        v.integer(N_HEAD),
        v.integer(N_EMBD),
        v.integer(BLOCK_SIZE),
        v.real(DROPOUT),
        v.bool(BIAS),
        v.bool(TIE_EMBEDDINGS),
        PositionalEncoding.valueOf(v.string(POSITIONAL_ENCODING).toUpperCase(Locale.ROOT)),
        v.real(ROPE_THETA),
        NormKind.valueOf(v.string(NORM).toUpperCase(Locale.ROOT)),
        v.real(NORM_EPS),
        mlp,
        v.has(MLP_HIDDEN) ? v.integer(MLP_HIDDEN) : mlp.defaultHidden(v.integer(N_EMBD)),
        v.has(N_KV_HEAD) ? v.integer(N_KV_HEAD) : v.integer(N_HEAD),
        v.bool(QK_NORM),
        v.real(LOGIT_SOFTCAP));
  }

  /** The model section of an architecture (a checkpoint's), every key resolved. */
  public static ModelSection of(GPTConfig c) {
    return new ModelSection(c.nLayer(), c.nHead(), c.nEmbd(), c.blockSize(), c.dropout(), c.bias(),
        c.tieEmbeddings(), c.positionalEncoding(), c.ropeTheta(), c.norm(), c.normEps(), c.mlp(), c.mlpHidden(),
        c.nKvHead(), c.qkNorm(), c.logitSoftcap());
  }

  /** The framework's model config, with the vocabulary size of the run's tokenizer. */
  public GPTConfig toGptConfig(int vocabSize) {
    return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, positionalEncoding, bias, tieEmbeddings,
        dropout, norm, normEps, mlp, mlpHidden, nKvHead, qkNorm, logitSoftcap, ropeTheta);
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
    m.put(POSITIONAL_ENCODING, positionalEncoding.key());
    m.put(ROPE_THETA, ropeTheta);
    m.put(NORM, norm.key());
    m.put(NORM_EPS, normEps);
    m.put(MLP, mlp.key());
    m.put(MLP_HIDDEN, mlpHidden);
    m.put(N_KV_HEAD, nKvHead);
    m.put(QK_NORM, qkNorm);
    m.put(LOGIT_SOFTCAP, logitSoftcap);
    return m;
  }
}
