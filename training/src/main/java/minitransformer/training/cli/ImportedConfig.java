package minitransformer.training.cli;

import java.nio.file.Path;
import java.util.Locale;
import minitransformer.framework.GPTConfig;
import minitransformer.training.config.Schema;

/**
 * The resolved-config document of a checkpoint made by {@code import}: the model section of the
 * imported architecture and the tokenizer kind (meta.json's {@code config_yaml}; the architecture
 * itself is meta.json's {@code model}).
 */
final class ImportedConfig {
  private ImportedConfig() {}

  /**
   * A config document holding the model section of an imported model, for a checkpoint made by
   * {@code import}. It has no data path: continuing to train it needs {@code --set data.path=...}.
   */
  static String importedConfigYaml(GPTConfig c, String tokenizerKind, Path from) {
    return "# Imported from " + from.toAbsolutePath() + ": the architecture only. To train on, give a corpus:\n"
        + "#   train --resume DIR --set data.path=CORPUS\n"
        + Schema.MODEL + ":\n"
        + "  " + Schema.N_LAYER.name() + ": " + c.nLayer() + "\n"
        + "  " + Schema.N_HEAD.name() + ": " + c.nHead() + "\n"
        + "  " + Schema.N_EMBD.name() + ": " + c.nEmbd() + "\n"
        + "  " + Schema.BLOCK_SIZE.name() + ": " + c.blockSize() + "\n"
        + "  " + Schema.DROPOUT.name() + ": " + c.dropout() + "\n"
        + "  " + Schema.BIAS.name() + ": " + c.bias() + "\n"
        + "  " + Schema.TIE_EMBEDDINGS.name() + ": " + c.tieEmbeddings() + "\n"
        + "  " + Schema.POSITIONAL_ENCODING.name() + ": " + c.positionalEncoding().name().toLowerCase(Locale.ROOT) + "\n"
        + (c.hasGpt2Blocks() ? "" : blockKeys(c))
        + Schema.DATA + ":\n"
        + "  " + Schema.TOKENIZER.name() + ": " + tokenizerKind + "\n"
        + ("bpe".equals(tokenizerKind) ? "  " + Schema.BPE_VOCAB_SIZE.name() + ": " + c.vocabSize() + "\n" : "");
  }

  /** The block options of a model that uses one (GPT-2's blocks are the keys' defaults). */
  private static String blockKeys(GPTConfig c) {
    return "  " + Schema.ROPE_THETA.name() + ": " + c.ropeTheta() + "\n"
        + "  " + Schema.NORM.name() + ": " + c.norm().key() + "\n"
        + "  " + Schema.NORM_EPS.name() + ": " + c.normEps() + "\n"
        + "  " + Schema.MLP.name() + ": " + c.mlp().key() + "\n"
        + "  " + Schema.MLP_HIDDEN.name() + ": " + c.mlpHidden() + "\n"
        + "  " + Schema.N_KV_HEAD.name() + ": " + c.nKvHead() + "\n"
        + "  " + Schema.QK_NORM.name() + ": " + c.qkNorm() + "\n"
        + "  " + Schema.LOGIT_SOFTCAP.name() + ": " + c.logitSoftcap() + "\n";
  }
}
