package minitransformer.framework;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitransformer.framework.blocks.Block;
import minitransformer.framework.blocks.CrossEntropyLoss;
import minitransformer.framework.blocks.Dropout;
import minitransformer.framework.blocks.LmHead;
import minitransformer.framework.blocks.LogitSoftcap;
import minitransformer.framework.blocks.Norm;
import minitransformer.framework.blocks.ParameterFactory;
import minitransformer.framework.blocks.PositionEmbedding;
import minitransformer.framework.blocks.Sequence;
import minitransformer.framework.blocks.TokenEmbedding;
import minitransformer.framework.exec.LossAndGradients;
import minitransformer.framework.exec.OpObserver;
import minitransformer.framework.exec.Passes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A GPT decoder built as one SameDiff graph. Token ids are given as integer arrays of shape [B, T]
 * with 1 <= T <= blockSize. "Eval mode" means dropout off.
 *
 * <p>The forward pass, as nanoGPT's GPT.forward:
 *
 * <pre>
 *   x = wte[ids] + wpe[0:T]                         (B*T, C)   dropout; no wpe with rope or none
 *   for each block: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))
 *   logits = ln_f(x)·W_head                         (B*T, V)   W_head = wteᵀ when tied
 *   logits = cap·tanh(logits / cap)                            only with logit_softcap > 0
 *   loss = mean cross-entropy(logits, targets)
 * </pre>
 *
 * The residual stream is kept 2-D, one row per token (row b*T + t), so every projection is a
 * plain matrix product. The floating-point type is ND4J's default at creation time.
 */
public final class GPT {
  private final GPTConfig config;
  private final SameDiff sd;
  private final DataType dataType;
  private final List<String> parameterNames;
  private final Feeds feeds;
  private final Passes passes;

  private GPT(
      GPTConfig config,
      SameDiff sd,
      DataType dataType,
      List<String> parameterNames,
      List<Dropout.Site> dropoutSites) {
    this.config = config;
    this.sd = sd;
    this.dataType = dataType;
    this.parameterNames = List.copyOf(parameterNames);
    this.feeds = new Feeds(config, new DropoutMasks(dropoutSites, config, dataType));
    this.passes = new Passes(sd, Names.LOSS, this.parameterNames);
  }

  /** Builds the graph and initialises every parameter deterministically from the seed. */
  public static GPT create(GPTConfig config, long seed) {
    SameDiff sd = SameDiff.create();
    DataType dt = Nd4j.defaultFloatingPointType();
    ParameterFactory params = new ParameterFactory(sd, dt, seed);
    Dropout dropout = new Dropout(config.dropout(), dt);
    int V = config.vocabSize();
    int C = config.nEmbd();

    // Parameters, created in nanoGPT's order: wte, wpe, h0..h{L-1}, ln_f, lm_head.
    TokenEmbedding tokenEmbedding = new TokenEmbedding(params, V, C);
    PositionEmbedding positionEmbedding =
        new PositionEmbedding(sd, params, config.positionalEncoding(), config.blockSize(), C);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < config.nLayer(); i++) {
      blocks.add(new Block(params, dropout, config, i));
    }
    Norm lnF = Norm.of(params, Names.LN_F, config);
    LmHead lmHead =
        config.tieEmbeddings() ? LmHead.tied(tokenEmbedding) : LmHead.untied(params, C, V);

    // The forward pass.
    SDVariable ids = sd.placeHolder(Names.INPUT, DataType.INT32, -1, -1); // (B, T)
    SDVariable targets = sd.placeHolder(Names.TARGETS, DataType.INT32, -1, -1); // (B, T)
    Sequence seq = Sequence.of(sd, ids, config.blockSize(), dt);

    SDVariable x = tokenEmbedding.apply(sd, ids); // (B*T, C)
    x = positionEmbedding.apply(sd, x, seq); // (B*T, C)
    sd.reshape(Names.EMBEDDINGS_OUT, x, seq.shapeWith(sd, C)); // (B, T, C)
    x = dropout.apply(sd, x, Names.EMBEDDINGS_DROPOUT_MASK, Dropout.MaskShape.TOKENS);
    for (int i = 0; i < blocks.size(); i++) {
      x = blocks.get(i).apply(sd, x, seq); // (B*T, C)
      sd.reshape(Names.blockOut(i), x, seq.shapeWith(sd, C)); // (B, T, C)
    }
    x = lnF.apply(sd, x); // (B*T, C)
    sd.reshape(Names.LN_F_OUT, x, seq.shapeWith(sd, C)); // (B, T, C)
    SDVariable logits = lmHead.apply(sd, x); // (B*T, V)
    logits = LogitSoftcap.apply(sd, logits, config.logitSoftcap()); // (B*T, V): cap·tanh(logits/cap)
    sd.reshape(Names.LOGITS, logits, seq.shapeWith(sd, V)); // (B, T, V)
    CrossEntropyLoss.apply(sd, Names.LOSS, logits, targets, V); // ()
    sd.setLossVariables(Names.LOSS);

    return new GPT(config, sd, dt, params.names(), dropout.sites());
  }

  public GPTConfig config() {
    return config;
  }

  public SameDiff sameDiff() {
    return sd;
  }

  /** The floating-point type of the parameters. */
  public DataType dataType() {
    return dataType;
  }

  /** Trainable parameter names in a stable order, e.g. "wte", "h0/attn/W_Q", "ln_f/gamma". */
  public List<String> parameterNames() {
    return parameterNames;
  }

  /** The live parameter arrays (updating them in place updates the model), in parameterNames order. */
  public Map<String, INDArray> parameters() {
    Map<String, INDArray> live = new LinkedHashMap<>();
    for (String name : parameterNames) {
      live.put(name, sd.getArrForVarName(name));
    }
    return Collections.unmodifiableMap(live);
  }

  /**
   * Another graph of this model whose parameters are this model's arrays themselves, not copies: an
   * update of either (AdamW, {@link #loadParameters}) is seen by both. For data parallelism, a
   * thread per graph: SameDiff M2.1 keeps a pass's state in its graph, so two threads must never run
   * passes on one graph at once, while two graphs bound to the same arrays may run side by side as
   * long as nothing writes the parameters meanwhile.
   */
  public GPT replica() {
    GPT copy = create(config, 0L);
    // SDVariable.setArray would copy the values into the replica's own arrays (M2.1's DeviceLocal
    // holder), so the replica gets holders that hold this model's arrays themselves.
    SingleThreadArrayHolder variables = new SingleThreadArrayHolder();
    for (String name : parameterNames) {
      variables.setArray(name, sd.getArrForVarName(name));
    }
    SingleThreadArrayHolder constants = new SingleThreadArrayHolder();
    for (SDVariable v : copy.sd.variables()) {
      if (v.getVariableType() == VariableType.CONSTANT) {
        constants.setArray(v.name(), copy.sd.getArrForVarName(v.name()));
      }
    }
    copy.sd.setArrayHolders(variables, constants, false);
    return copy;
  }

  /** Copies values into the live parameters; fails naming the parameter on a missing name or wrong shape. */
  public void loadParameters(Map<String, INDArray> values) {
    for (String name : parameterNames) {
      INDArray value = values.get(name);
      if (value == null) {
        throw new ModelConfigException("parameter " + name + " is missing");
      }
      INDArray live = sd.getArrForVarName(name);
      if (!java.util.Arrays.equals(live.shape(), value.shape())) {
        throw new ModelConfigException(
            "parameter " + name + " has shape " + java.util.Arrays.toString(value.shape())
                + ", expected " + java.util.Arrays.toString(live.shape()));
      }
    }
    for (String name : values.keySet()) {
      if (!parameterNames.contains(name)) {
        throw new ModelConfigException("parameter " + name + " is not part of this model");
      }
    }
    for (String name : parameterNames) {
      sd.getArrForVarName(name).assign(values.get(name));
    }
  }

  /**
   * Training mode: one forward and backward pass over the whole batch; dropout masks drawn from
   * dropoutSeed (so a step is reproducible). Returns the true mean loss and the gradient of every
   * parameter. Splitting a batch that would not fit in memory is the training step's business.
   */
  public LossAndGradients lossAndGradients(INDArray ids, INDArray targets, long dropoutSeed) {
    Map<String, INDArray> feed = trainingFeed(ids, targets, dropoutSeed);
    try {
      return passes.lossAndGradients(feed);
    } finally {
      feeds.closeMasks(feed); // drawn for this pass only
    }
  }

  /**
   * Turns replayed passes on (the default) or off; off, every pass runs in SameDiff's session. The
   * results are the same bits either way with the replay's kernels off, within float rounding with
   * them on (ReplayedPassTest). When a pass is replayed and when it runs in the session: the
   * package documentation of {@link minitransformer.framework.exec}.
   */
  public void replay(boolean on) {
    passes.replay(on);
  }

  /**
   * Whether replayed passes run the engine's kernels (BLAS calls for the matrix products, Java
   * loops for the sigmoid) in place of those ops' native calls: on by default.
   */
  public void replayKernels(boolean on) {
    passes.kernels(on);
  }

  /** Ops of the replayed passes held that run one of the engine's kernels (for tests). */
  public long replayKernelOps() {
    return passes.kernelOps();
  }

  /**
   * Every op of later replayed passes is shown to observer (null: none) with its time (its kernel's
   * where the engine runs one). It sees neither the first pass of a shape, which runs in SameDiff's
   * session, nor the one that builds the replayed pass while it runs (see {@link minitransformer.framework.exec}).
   */
  public void observeReplayedOps(OpObserver observer) {
    passes.observe(observer);
  }

  /**
   * Frees the arrays of this graph's replayed passes now, when no more training or evaluation
   * passes are coming soon (they are recorded and built again if they do).
   */
  public void releaseReplayedPasses() {
    passes.release();
  }

  /** Bytes of the arrays the replayed passes of this graph hold (for tests and memory reports). */
  public long replayedPassBytes() {
    return passes.replayedBytes();
  }

  /**
   * The placeholders of one training step: ids, targets and (when dropout > 0) the masks drawn from
   * dropoutSeed. For gradient checks and custom runs of {@link #sameDiff()}.
   */
  public Map<String, INDArray> trainingFeed(INDArray ids, INDArray targets, long dropoutSeed) {
    return feeds.training(ids, targets, dropoutSeed);
  }

  /** Eval mode mean cross-entropy. */
  public double loss(INDArray ids, INDArray targets) {
    return passes.loss(feeds.eval(ids, targets));
  }

  /** Eval mode logits, shape [B, T, vocabSize]. */
  public INDArray logits(INDArray ids) {
    return outputs(ids, List.of(Names.LOGITS)).get(Names.LOGITS);
  }

  /**
   * Eval mode: any named graph outputs, e.g. {@link Names#attentionProbs}(0) of shape [B, nHead, T,
   * T] or {@link Names#blockOut}(i), the residual stream after block i, [B, T, C].
   */
  public Map<String, INDArray> outputs(INDArray ids, List<String> names) {
    return sd.output(feeds.eval(ids, null), names);
  }

  /** Token ids as the [B, T] INT32 array the model reads; flat holds B rows of T ids. */
  public static INDArray idsArray(int[] flat, int batchSize, int time) {
    if (flat.length != batchSize * time) {
      throw new IllegalArgumentException(
          flat.length + " ids cannot form a [" + batchSize + ", " + time + "] batch");
    }
    return Nd4j.createFromArray(flat).reshape(batchSize, time);
  }
}
