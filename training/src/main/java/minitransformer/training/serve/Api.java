package minitransformer.training.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import minitransformer.datasets.DataException;
import minitransformer.datasets.Tokenizer;
import minitransformer.datasets.WordTokenizer;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.analysis.AttentionExplanation;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadFocus;
import minitransformer.framework.analysis.HeadSelection;
import minitransformer.framework.analysis.HiddenStates;
import minitransformer.framework.analysis.RawScores;
import minitransformer.framework.analysis.Similarity;
import minitransformer.framework.analysis.TokenEmbeddings;
import minitransformer.framework.generate.CachedSampler;
import minitransformer.framework.generate.SamplingOptions;
import minitransformer.training.TrainedModel;
import minitransformer.training.report.EndOfText;
import minitransformer.training.report.NextTokenReport;
import minitransformer.training.report.Prompt;
import minitransformer.training.report.WordToken;

/**
 * The JSON API's answers, one method per endpoint, each on the code of the matching command:
 * {@code predict} ({@link NextTokenReport}), {@code sample} (the generation of {@code
 * SampleCommand}), {@code attention} and {@code attention --explain} / {@code --raw-scores}
 * ({@link AttentionMaps}, {@link AttentionExplanation}, {@link RawScores}), {@code similarity}
 * ({@link TokenEmbeddings}, {@link HiddenStates}). Every field is checked here; a bad one is a 400.
 */
final class Api {
  /** The longest prompt accepted, in characters; the model reads its last block_size tokens. */
  static final int MAX_PROMPT_CHARS = 4000;

  /** The most tokens one sample request may generate. */
  static final int MAX_SAMPLE_TOKENS = 10_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ModelPool pool;
  private final TrainedModel model;
  private final GPTConfig config;
  private final TokenEmbeddings wte;

  Api(ModelPool pool) {
    this.pool = pool;
    this.model = pool.model();
    this.config = model.config();
    this.wte = pool.with(m -> TokenEmbeddings.of(m.gpt()));
  }

  /** POST /api/predict: exactly {@code predict --json}'s document. */
  ObjectNode predict(Fields f) {
    Prompt prompt = encode(f.text("prompt", MAX_PROMPT_CHARS));
    int top = f.integer("top", 10, 1, Integer.MAX_VALUE);
    SamplingOptions draw = sampling(f, 1.0, 0, 1.0, 0);
    return pool.with(m -> NextTokenReport.of(m, prompt, top, draw));
  }

  /** A checked POST /api/sample request; the server streams its tokens. */
  /** @param stop the token the sample ends at (report.EndOfText), unless "stop": false */
  record SampleRequest(int[] ids, int tokens, SamplingOptions options, int refill, OptionalInt stop) {}

  SampleRequest sample(Fields f) {
    String prompt = f.text("prompt", MAX_PROMPT_CHARS);
    encode(prompt); // its checks; the server prints the whole (bounded) prompt and the samplers read the last block_size
    int[] ids = model.tokenizer().encode(prompt);
    int tokens = f.integer("tokens", 100, 1, MAX_SAMPLE_TOKENS);
    SamplingOptions options = sampling(f, 0.8, 0, 0.95, f.longInteger("seed", 1337));
    int block = config.blockSize();
    int refill = f.integer("refill", CachedSampler.defaultRefill(block), 1, block);
    return new SampleRequest(ids, tokens, options, refill,
        EndOfText.stopToken(model.tokenizer(), f.bool("stop", true)));
  }

  /**
   * POST /api/attention: every (or one layer's, one head's) attention map, and the raw scores q·kᵀ; and
   * every head's focus ({@link HeadFocus}) as [layer][head], whichever maps are asked for.
   */
  ObjectNode attention(Fields f) {
    int[] ids = encode(f.text("prompt", MAX_PROMPT_CHARS)).context();
    HeadSelection shown = shown(f);
    return pool.with(m -> {
      AttentionMaps maps = AttentionMaps.of(m.gpt(), ids);
      ObjectNode root = tokens(ids);
      root.put("n_layer", config.nLayer()).put("n_head", config.nHead());
      ArrayNode focus = root.putArray("focus"); // every head's, whichever are shown: the page's summary
      for (HeadFocus hf : HeadFocus.of(maps)) {
        (hf.head() == 0 ? focus.addArray() : (ArrayNode) focus.get(hf.layer())).add(hf.focus());
      }
      ArrayNode list = root.putArray("maps");
      for (int l : shown.layers(config.nLayer())) {
        RawScores raw = RawScores.of(m.gpt(), ids, l);
        for (int h : shown.heads(config.nHead())) {
          ObjectNode map = list.addObject().put("layer", l).put("head", h);
          map.set("weights", matrix(maps.map(l, h)));
          map.set("raw_scores", matrix(raw.matrix(h)));
          map.put("asymmetry", raw.asymmetry(h));
        }
      }
      return root;
    });
  }

  /** POST /api/explain: {@code attention --explain} for one query position, as numbers. */
  ObjectNode explain(Fields f) {
    int[] ids = encode(f.text("prompt", MAX_PROMPT_CHARS)).context();
    HeadSelection shown = shown(f);
    int position = f.integer("position", ids.length - 1, 0, ids.length - 1);
    return pool.with(m -> {
      ObjectNode root = tokens(ids);
      root.put("position", position).put("head_size", config.headSize())
          .put("scale", 1.0 / Math.sqrt(config.headSize()));
      ArrayNode layers = root.putArray("layers");
      for (int l : shown.layers(config.nLayer())) {
        layers.add(Explanations.json(AttentionExplanation.of(m.gpt(), ids, l, position), shown));
      }
      return root;
    });
  }

  /** The optional layer and head fields: the blocks and heads an answer shows. */
  private HeadSelection shown(Fields f) {
    Integer layer = f.has("layer") ? f.integer("layer", 0, config.nLayer() - 1) : null;
    Integer head = f.has("head") ? f.integer("head", 0, config.nHead() - 1) : null;
    return new HeadSelection(layer, head);
  }

  /** POST /api/similarity: one of {@code words}, {@code nearest} (+ {@code top}), {@code prompt} + {@code word} + {@code ref}. */
  ObjectNode similarity(Fields f) {
    int modes = (f.has("words") ? 1 : 0) + (f.has("nearest") ? 1 : 0) + (f.has("prompt") ? 1 : 0);
    if (modes != 1) {
      throw new ApiException(400, "words, nearest, prompt: give exactly one (prompt with word and ref)");
    }
    ObjectNode root = NODES.objectNode();
    if (f.has("words")) {
      List<String> words = f.words("words", 2, 64);
      double[][] vectors = words.stream().mapToInt(w -> wordId("words", w)).mapToObj(wte::vector)
          .toArray(double[][]::new);
      root.set("words", NODES.arrayNode().addAll(words.stream().map(NODES::textNode).toList()));
      root.put("width", wte.width());
      for (Similarity measure : Similarity.values()) {
        root.set(measure.name().toLowerCase(java.util.Locale.ROOT), matrix(measure.table(vectors)));
      }
    } else if (f.has("nearest")) {
      String word = f.text("nearest");
      int top = f.integer("top", 10, 1, wte.vocabSize() - 1);
      ArrayNode list = root.put("nearest", word).putArray("neighbours");
      for (TokenEmbeddings.Neighbour n : wte.nearest(wordId("nearest", word), top, Similarity.COSINE)) {
        list.addObject().put("id", n.id()).put("token", model.tokenizer().token(n.id())).put("cosine", n.similarity());
      }
    } else {
      int[] ids = encode(f.text("prompt", MAX_PROMPT_CHARS)).context();
      String word = f.text("word");
      wordId("word", word); // a word that is not one token is named as such
      List<String> refs = f.words("ref", 1, 64);
      double[][] references = refs.stream().mapToInt(w -> wordId("ref", w)).mapToObj(wte::vector)
          .toArray(double[][]::new);
      int position = WordToken.lastPosition(model.tokenizer(), word, ids);
      if (position < 0) {
        throw ApiException.badField("word", "\"" + word + "\" does not occur in the prompt");
      }
      int at = position;
      HiddenStates states = pool.with(m -> HiddenStates.of(m.gpt(), ids, at));
      root.set("ids", ints(ids));
      root.put("word", word).put("position", position);
      root.set("ref", NODES.arrayNode().addAll(refs.stream().map(NODES::textNode).toList()));
      root.set("stages", NODES.arrayNode().addAll(states.stages().stream().map(NODES::textNode).toList()));
      root.set("cosine", matrix(states.similarities(references, Similarity.COSINE)));
    }
    return root;
  }

  /**
   * Temperature, top_k and top_p checked by {@link SamplingOptions} itself, as {@code sample} checks them; a
   * bad one is a 400 that names the field ("top_p (1.5) must be in (0, 1]").
   */
  private static SamplingOptions sampling(Fields f, double temperature, int topK, double topP, long seed) {
    double t = f.number("temperature", temperature);
    int k = f.integer("top_k", topK, 0, Integer.MAX_VALUE);
    double p = f.number("top_p", topP);
    try {
      return new SamplingOptions(t, k, p, seed);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    }
  }

  /**
   * The prompt's tokens and the last block_size of them, which the model reads (the commands' policy);
   * a character outside a char model's vocabulary is a 400 naming it (a word model reads unknown words
   * as {@code <unk>}).
   */
  private Prompt encode(String prompt) {
    Tokenizer tokenizer = model.tokenizer();
    if (tokenizer instanceof WordTokenizer words && words.split(prompt).isEmpty()) {
      throw ApiException.badField("prompt", "holds no words, only white space");
    }
    int[] ids;
    try {
      ids = tokenizer.encode(prompt);
    } catch (DataException e) {
      throw ApiException.badField("prompt", e.getMessage());
    }
    if (ids.length == 0) {
      throw ApiException.badField("prompt", "gives no tokens");
    }
    return Prompt.of(ids, config);
  }

  /** The word's token as {@code similarity} reads it ({@link WordToken}); a word that is not one token is a 400. */
  private int wordId(String field, String word) {
    try {
      return WordToken.id(model.tokenizer(), word);
    } catch (WordToken.NotOneToken e) {
      throw ApiException.badField(field, e.getMessage());
    }
  }

  private ObjectNode tokens(int[] ids) {
    ObjectNode root = NODES.objectNode();
    root.set("ids", ints(ids));
    ArrayNode tokens = root.putArray("tokens");
    for (int id : ids) {
      tokens.add(model.tokenizer().token(id));
    }
    return root;
  }

  static ArrayNode ints(int[] values) {
    ArrayNode a = NODES.arrayNode();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  /** A vector; NaN and ±∞ (masked keys) become null, which JSON can hold. */
  static ArrayNode vector(double[] values) {
    ArrayNode a = NODES.arrayNode();
    for (double v : values) {
      if (Double.isFinite(v)) {
        a.add(v);
      } else {
        a.addNull();
      }
    }
    return a;
  }

  static ArrayNode matrix(double[][] rows) {
    ArrayNode a = NODES.arrayNode();
    for (double[] row : rows) {
      a.add(row == null ? NODES.nullNode() : vector(row));
    }
    return a;
  }

  /** The request fields of each endpoint. */
  static final Set<String> PREDICT = Set.of("prompt", "top", "temperature", "top_k", "top_p");
  static final Set<String> SAMPLE = Set.of("prompt", "tokens", "temperature", "top_k", "top_p", "seed", "refill", "stop");
  static final Set<String> ATTENTION = Set.of("prompt", "layer", "head");
  static final Set<String> EXPLAIN = Set.of("prompt", "layer", "head", "position");
  static final Set<String> SIMILARITY = Set.of("words", "nearest", "top", "prompt", "word", "ref");
}
