package minitransformer.training.config;

import static minitransformer.training.config.Schema.BPE_VOCAB_SIZE;
import static minitransformer.training.config.Schema.LOWERCASE;
import static minitransformer.training.config.Schema.MAX_VOCAB;
import static minitransformer.training.config.Schema.MERGES;
import static minitransformer.training.config.Schema.MIN_COUNT;
import static minitransformer.training.config.Schema.PATH;
import static minitransformer.training.config.Schema.TOKENIZER;
import static minitransformer.training.config.Schema.TRAIN_FRACTION;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import minitransformer.datasets.TokenizerSpec;

/**
 * The {@code data} section: the corpus file (absolute once resolved) and how to tokenize it.
 *
 * @param tokenizer "char", "word", "bpe", or "gpt2" (GPT-2's own, only in a run that starts from a checkpoint
 *     made by import --hf: the tokenizer is the checkpoint's, never fitted)
 * @param maxVocab word level: at most this many tokens, {@code <unk>} included (0 = no limit)
 * @param minCount word level: words seen fewer times become {@code <unk>}
 * @param vocabSize BPE: 256 byte tokens plus the merges (0 = not given)
 * @param merges BPE: read the merges from this file instead of learning them (null = learn)
 * @param trainFraction share of the tokens (BPE: of the characters) in the train split (the first part)
 */
public record DataSection(
    Path path, String tokenizer, boolean lowercase, int maxVocab, int minCount, int vocabSize, Path merges,
    double trainFraction) {

  /** data.tokenizer of a model imported from Hugging Face: GPT-2's tokenizer, read from the checkpoint. */
  public static final String GPT2 = "gpt2";

  public DataSection {
    Check.notNull(PATH, path);
    Check.notNull(TOKENIZER, tokenizer);
    if (!TOKENIZER.choices().contains(tokenizer)) {
      throw new InvalidValueException(TOKENIZER, tokenizer, "must be one of " + TOKENIZER.choices());
    }
    Check.atLeast(MAX_VOCAB, maxVocab, 0);
    if (maxVocab == 1) {
      throw new InvalidValueException(MAX_VOCAB, maxVocab, "must be 0 (no limit) or >= 2");
    }
    Check.atLeast(MIN_COUNT, minCount, 1);
    if (vocabSize != 0) {
      Check.atLeast(BPE_VOCAB_SIZE, vocabSize, 256);
    }
    if ("bpe".equals(tokenizer) && vocabSize == 0 && merges == null) {
      throw new InvalidValueException(BPE_VOCAB_SIZE, "nothing",
          "is required for data.tokenizer: bpe (e.g. 512), unless data.merges names a merges file", TOKENIZER);
    }
    Check.inOpen(TRAIN_FRACTION, trainFraction, 0.0, 1.0);
  }

  static DataSection from(Values v) {
    return new DataSection(
        v.path(PATH),
        v.string(TOKENIZER),
        v.bool(LOWERCASE),
        v.integer(MAX_VOCAB),
        v.integer(MIN_COUNT),
        v.has(BPE_VOCAB_SIZE) ? v.integer(BPE_VOCAB_SIZE) : 0,
        v.has(MERGES) ? v.path(MERGES) : null,
        v.real(TRAIN_FRACTION));
  }

  /**
   * How to fit the tokenizer to the corpus. GPT-2's tokenizer ({@code gpt2}) is never fitted: it comes
   * with a checkpoint made by {@code import --hf}, and only runs that start from it (training.init_from) or
   * resume it use it.
   */
  public TokenizerSpec tokenizerSpec() {
    if (GPT2.equals(tokenizer)) {
      throw new InvalidValueException(TOKENIZER, tokenizer, "is GPT-2's own tokenizer, which comes with a checkpoint"
          + " made by import --hf: fine-tune it with train --init-from CHECKPOINT --config FILE");
    }
    return new TokenizerSpec(tokenizer, lowercase, maxVocab, minCount, vocabSize, merges);
  }

  Map<Key, Object> values() {
    Map<Key, Object> m = new LinkedHashMap<>();
    m.put(PATH, path);
    m.put(TOKENIZER, tokenizer);
    m.put(LOWERCASE, lowercase);
    m.put(MAX_VOCAB, maxVocab);
    m.put(MIN_COUNT, minCount);
    if (vocabSize != 0) {
      m.put(BPE_VOCAB_SIZE, vocabSize);
    }
    if (merges != null) {
      m.put(MERGES, merges);
    }
    m.put(TRAIN_FRACTION, trainFraction);
    return m;
  }
}
