package minitransformer.training.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import minitransformer.training.config.Key.Type;

/**
 * Every key a config file may hold, in the order the resolved config is written. This is the one
 * place key names are spelled; the section records refer to these constants.
 */
public final class Schema {
  private Schema() {}

  public static final String MODEL = "model";
  public static final String DATA = "data";
  public static final String TRAINING = "training";
  public static final String RUN = "run";
  public static final List<String> SECTIONS = List.of(MODEL, DATA, TRAINING, RUN);

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  // model: the architecture (a run's vocabulary size comes from its data)
  public static final Key N_LAYER = key(MODEL, "n_layer", Type.INT, 4);
  public static final Key N_HEAD = key(MODEL, "n_head", Type.INT, 4);
  public static final Key N_EMBD = key(MODEL, "n_embd", Type.INT, 128);
  public static final Key BLOCK_SIZE = key(MODEL, "block_size", Type.INT, 64);
  public static final Key DROPOUT = key(MODEL, "dropout", Type.DOUBLE, 0.0);
  public static final Key BIAS = key(MODEL, "bias", Type.BOOLEAN, false);
  public static final Key TIE_EMBEDDINGS = key(MODEL, "tie_embeddings", Type.BOOLEAN, true);
  public static final Key POSITIONAL_ENCODING =
      choice(MODEL, "positional_encoding", "learned", "learned", "sinusoidal", "rope", "none");
  /** RoPE's base θ (used only with positional_encoding rope). */
  public static final Key ROPE_THETA = key(MODEL, "rope_theta", Type.DOUBLE, 10000.0);
  public static final Key NORM = choice(MODEL, "norm", "layernorm", "layernorm", "rmsnorm");
  /** The ε of every norm (and of QK-norm); the default is PyTorch's LayerNorm ε. */
  public static final Key NORM_EPS = key(MODEL, "norm_eps", Type.DOUBLE, 1e-5);
  public static final Key MLP = choice(MODEL, "mlp", "gelu", "gelu", "swiglu", "relu2");
  /** Defaults to 4·n_embd for gelu and relu2, 8·n_embd/3 rounded up to a multiple of 64 for swiglu. */
  public static final Key MLP_HIDDEN = key(MODEL, "mlp_hidden", Type.INT, null);
  /** Key/value heads; defaults to n_head (1: multi-query attention; between: grouped-query). */
  public static final Key N_KV_HEAD = key(MODEL, "n_kv_head", Type.INT, null);
  /** RMS-normalize q and k of every head before the scores (nanochat). */
  public static final Key QK_NORM = key(MODEL, "qk_norm", Type.BOOLEAN, false);
  /** 0: off; else logits = cap·tanh(logits / cap). */
  public static final Key LOGIT_SOFTCAP = key(MODEL, "logit_softcap", Type.DOUBLE, 0.0);
  /**
   * Optional, only for architecture files read without a corpus (params --config, e.g. GPT-2's
   * 50257); training refuses it, since a run's vocabulary size comes from its tokenizer.
   */
  public static final Key VOCAB_SIZE = key(MODEL, "vocab_size", Type.INT, null);

  // data: the corpus and its tokenizer
  /** Required. */
  public static final Key PATH = key(DATA, "path", Type.PATH, null);
  public static final Key TOKENIZER = choice(DATA, "tokenizer", "char", "char", "word", "bpe", "gpt2");
  public static final Key LOWERCASE = key(DATA, "lowercase", Type.BOOLEAN, false);
  public static final Key MAX_VOCAB = key(DATA, "max_vocab", Type.INT, 0);
  public static final Key MIN_COUNT = key(DATA, "min_count", Type.INT, 1);
  /** BPE: the vocabulary size, 256 bytes plus the merges; required unless data.merges is given. */
  public static final Key BPE_VOCAB_SIZE = key(DATA, "vocab_size", Type.INT, null);
  /** BPE: a merges file (GPT-2's merges.txt or a bpe tokenizer.json) instead of learning merges. */
  public static final Key MERGES = key(DATA, "merges", Type.PATH, null);
  public static final Key TRAIN_FRACTION = key(DATA, "train_fraction", Type.DOUBLE, 0.9);

  // training: the loop, the optimizer and the schedule
  public static final Key MAX_ITERS = key(TRAINING, "max_iters", Type.INT, 2000);
  public static final Key BATCH_SIZE = key(TRAINING, "batch_size", Type.INT, 12);
  /**
   * Graphs that compute a step's forward and backward passes side by side, each on a thread (and a
   * core) of its own, each on a slice of the batch (training/step/Replicas). Results depend on it.
   */
  public static final Key WORKERS = key(TRAINING, "workers", Type.INT, 2);
  public static final Key LEARNING_RATE = key(TRAINING, "learning_rate", Type.DOUBLE, 1e-3);
  public static final Key MIN_LR = key(TRAINING, "min_lr", Type.DOUBLE, 1e-4);
  public static final Key LR_SCHEDULE = choice(TRAINING, "lr_schedule", "cosine", "cosine", "constant");
  public static final Key WARMUP_ITERS = key(TRAINING, "warmup_iters", Type.INT, 100);
  /** Defaults to max_iters. */
  public static final Key LR_DECAY_ITERS = key(TRAINING, "lr_decay_iters", Type.INT, null);
  /**
   * adamw: AdamW on every parameter. muon: Muon on the blocks' weight matrices, AdamW (with
   * weight_decay, beta1, beta2 below) on the embeddings, the head, the norms and the biases
   * (training/optim/HiddenMatrices).
   */
  public static final Key OPTIMIZER = choice(TRAINING, "optimizer", "adamw", "adamw", "muon");
  public static final Key WEIGHT_DECAY = key(TRAINING, "weight_decay", Type.DOUBLE, 0.1);
  public static final Key BETA1 = key(TRAINING, "beta1", Type.DOUBLE, 0.9);
  public static final Key BETA2 = key(TRAINING, "beta2", Type.DOUBLE, 0.95);
  /** Muon's peak rate (Keller Jordan's default); it follows learning_rate's schedule, scaled. */
  public static final Key MUON_LEARNING_RATE = key(TRAINING, "muon_learning_rate", Type.DOUBLE, 0.02);
  /** Muon's Nesterov momentum. */
  public static final Key MUON_MOMENTUM = key(TRAINING, "muon_momentum", Type.DOUBLE, 0.95);
  /** Muon's decoupled weight decay on its matrices, W·(1 - η·λ) (muon.py's default: none). */
  public static final Key MUON_WEIGHT_DECAY = key(TRAINING, "muon_weight_decay", Type.DOUBLE, 0.0);
  public static final Key GRAD_CLIP = key(TRAINING, "grad_clip", Type.DOUBLE, 1.0);
  public static final Key EVAL_INTERVAL = key(TRAINING, "eval_interval", Type.INT, 250);
  public static final Key EVAL_ITERS = key(TRAINING, "eval_iters", Type.INT, 200);
  /** Whether a new run evaluates its untrained model at step 0 (nanoGPT does); a timed recipe may skip it. */
  public static final Key EVAL_AT_START = key(TRAINING, "eval_at_start", Type.BOOLEAN, true);
  public static final Key LOG_INTERVAL = key(TRAINING, "log_interval", Type.INT, 10);
  public static final Key CHECKPOINT_INTERVAL = key(TRAINING, "checkpoint_interval", Type.INT, 250);
  public static final Key KEEP_LAST = key(TRAINING, "keep_last", Type.INT, 3);
  public static final Key SEED = key(TRAINING, "seed", Type.LONG, 1337L);
  /**
   * A checkpoint or run directory to start from (nanoGPT's init_from): its architecture, weights and
   * tokenizer, with a fresh optimizer at step 0 (config/InitialModel). Absent: weights drawn from seed.
   */
  public static final Key INIT_FROM = key(TRAINING, "init_from", Type.PATH, null);

  // run: where the outputs go and what is shown after training
  /** Defaults to the config file's name without extension. */
  public static final Key NAME = key(RUN, "name", Type.STRING, null);
  /** Defaults to checkpoints/ in the working directory. */
  public static final Key OUT_DIR = key(RUN, "out_dir", Type.PATH, null);
  public static final Key PROMPT = key(RUN, "prompt", Type.STRING, "");
  public static final Key PROMPTS = key(RUN, "prompts", Type.STRING_LIST, List.of());
  public static final Key SAMPLE_TOKENS = key(RUN, "sample_tokens", Type.INT, 100);
  public static final Key TEMPERATURE = key(RUN, "temperature", Type.DOUBLE, 0.8);
  /** Sampling: keep the k most likely tokens (0 = all), as nanoGPT's sample.py. */
  public static final Key TOP_K = key(RUN, "top_k", Type.INT, 0);
  /** How many next-token predictions are printed per prompt. */
  public static final Key PREDICTIONS = key(RUN, "predictions", Type.INT, 5);

  private static Key key(String section, String name, Type type, Object defaultValue) {
    Key key = new Key(section, name, type, defaultValue, List.of());
    KEYS.put(key.path(), key);
    return key;
  }

  private static Key choice(String section, String name, String defaultValue, String... choices) {
    Key key = new Key(section, name, Type.STRING, defaultValue, List.of(choices));
    KEYS.put(key.path(), key);
    return key;
  }

  /** All keys in file order. */
  public static List<Key> keys() {
    return Collections.unmodifiableList(new ArrayList<>(KEYS.values()));
  }

  public static Optional<Key> find(String path) {
    return Optional.ofNullable(KEYS.get(path));
  }

  /**
   * The known key (or section) closest to an unknown one, if it is close enough to be a typo, or
   * the same key name in another section.
   */
  public static Optional<String> suggest(String unknownPath) {
    String unknownName = unknownPath.substring(unknownPath.lastIndexOf('.') + 1);
    List<String> candidates = new ArrayList<>(KEYS.keySet());
    if (!unknownPath.contains(".")) {
      candidates = new ArrayList<>(SECTIONS);
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      String candidateName = candidate.substring(candidate.lastIndexOf('.') + 1);
      int distance = candidateName.equals(unknownName) ? 0 : levenshtein(candidate, unknownPath);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int tolerance = Math.max(2, unknownPath.length() / 4);
    return bestDistance <= tolerance ? Optional.of(best) : Optional.empty();
  }

  static int levenshtein(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
