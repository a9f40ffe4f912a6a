package minitransformer.training.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The keys of a config with {@code training.init_from}, once read: every model key and data.tokenizer
 * (data.vocab_size too, for a BPE tokenizer) are the checkpoint's. A key the config (or a --set) gives
 * itself must agree with the checkpoint, or the config is refused in one line naming the key and both
 * values, with two exceptions:
 * <ul>
 *   <li>{@code model.block_size} may be smaller: the learned position table is cropped to its first
 *       block_size rows (nanoGPT's crop_block_size), so a fine-tune fits a CPU; larger is refused, since
 *       the rows past the checkpoint's were never trained;</li>
 *   <li>{@code model.dropout} is the config's: it changes no weight (nanoGPT's finetune_shakespeare
 *       sets it).</li>
 * </ul>
 * The tokenizer's fitting keys (data.merges, data.max_vocab, data.min_count, data.lowercase) have
 * nothing to fit, since the tokenizer is the checkpoint's: a value other than the default is refused.
 */
final class InitialKeys {
  private InitialKeys() {}

  private static final List<Key> FITTING =
      List.of(Schema.MERGES, Schema.MAX_VOCAB, Schema.MIN_COUNT, Schema.LOWERCASE, Schema.BPE_VOCAB_SIZE);

  /** Fills values from the checkpoint that training.init_from names, when it names one. */
  static void apply(Values values, Map<Key, String> origins, String source, InitialModel reader) {
    if (!values.has(Schema.INIT_FROM)) {
      return;
    }
    InitialModel.Checkpoint checkpoint;
    try {
      checkpoint = reader.read(values.path(Schema.INIT_FROM));
    } catch (ConfigException e) {
      throw new ConfigException(origins.getOrDefault(Schema.INIT_FROM, source) + ": " + e.getMessage(), e);
    }
    String theirs = "the checkpoint's (" + checkpoint.directory() + ")";
    Map<Key, Object> inherited = new LinkedHashMap<>(checkpoint.model().values());
    inherited.put(Schema.TOKENIZER, checkpoint.tokenizer());
    if ("bpe".equals(checkpoint.tokenizer())) {
      inherited.put(Schema.BPE_VOCAB_SIZE, checkpoint.vocabSize());
    }
    for (Key key : FITTING) {
      if (!inherited.containsKey(key) && origins.containsKey(key)
          && !Objects.equals(values.get(key), key.defaultValue())) {
        throw new ConfigException(origins.get(key) + ": " + key.path() + " " + Values.render(values.get(key))
            + " has nothing to fit: the tokenizer is " + theirs + ", as " + Schema.INIT_FROM.path()
            + " says (remove the key)");
      }
    }
    inherited.forEach((key, value) -> {
      if (!origins.containsKey(key)) {
        values.put(key, value);
        return;
      }
      Object mine = values.get(key);
      if (key.equals(Schema.DROPOUT) || Objects.equals(mine, value)) {
        return;
      }
      if (key.equals(Schema.BLOCK_SIZE) && (Integer) mine < (Integer) value) {
        return; // cropped (class comment)
      }
      String why = key.equals(Schema.BLOCK_SIZE)
          ? "is larger than " + theirs + " " + value + ": a fine-tune may crop the position table, not grow it"
          : "disagrees with " + theirs + " " + Values.render(value) + ": with " + Schema.INIT_FROM.path()
              + " the architecture and tokenizer come from the checkpoint (remove the key, or make it agree)";
      throw new ConfigException(origins.get(key) + ": " + key.path() + " " + Values.render(mine) + " " + why);
    });
  }
}
