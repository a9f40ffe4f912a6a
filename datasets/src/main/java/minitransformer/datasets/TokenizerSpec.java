package minitransformer.datasets;

/**
 * How to build a tokenizer from a corpus: the {@code data} section's tokenizer keys.
 *
 * @param kind "char" or "word"
 * @param lowercase word level only: lower-case the text before splitting
 * @param maxVocab word level only: keep at most this many tokens, {@code <unk>} included (0 = no limit)
 * @param minCount word level only: drop words seen fewer times than this (1 = keep all)
 */
public record TokenizerSpec(String kind, boolean lowercase, int maxVocab, int minCount) {
  // CONTRACT (skeleton): validated in the compact constructor by the datasets implementation.
}
