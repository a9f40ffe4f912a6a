package minitransformer.framework.generate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.blocks.Dropout;
import minitransformer.framework.blocks.LayerNorm;
import minitransformer.framework.blocks.Linear;
import minitransformer.framework.blocks.LmHead;
import minitransformer.framework.blocks.Mlp;
import minitransformer.framework.blocks.ParameterFactory;
import minitransformer.framework.blocks.PositionEmbedding;
import minitransformer.framework.blocks.Sequence;
import minitransformer.framework.blocks.TokenEmbedding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A KV cache as two small SameDiff graphs, built from the same blocks (LayerNorm, Linear, Mlp,
 * TokenEmbedding, PositionEmbedding, LmHead) and the same variable names as {@link GPT}:
 *
 * <pre>
 *   prefill(ids[0:T]):  the full forward pass (causal mask), also returning k, v of every block
 *   step(id, position t, k_past, v_past):
 *     x = wte[id] + wpe[t]                                     (1, C)
 *     per block:  h = ln_1(x);  q = h·W_Q, k_new = h·W_K, v_new = h·W_V   (nh, 1, hs) each
 *                 k = [k_past; k_new],  v = [v_past; v_new]               (nh, t+1, hs)
 *                 att = softmax(q·kᵀ/√hs)   (no mask: every cached key is in the past)
 *                 x = x + concat_heads(att·v)·W_O;  x = x + mlp(ln_2(x))
 *     logits = ln_f(x)·W_head                                   (1, V)
 * </pre>
 *
 * <p><b>Weights are shared, not copied</b>: each graph variable is bound to the very INDArray of
 * the model's graph ({@link GPT#parameters()}), so training or {@link GPT#loadParameters} in place
 * is seen by the next step without any refresh.
 *
 * <p>Every step runs through SameDiff's inference session, whose per-op overhead (tens of
 * microseconds, about 170 ops per step for 4 layers) dominates at this model size; see
 * {@link JavaKvCache} for the faster step.
 */
public final class SameDiffKvCache implements KvCache {
  private final GPTConfig config;
  private final SameDiff prefillGraph;
  private final SameDiff stepGraph;
  private final List<String> outputs;
  private final INDArray[] keys;
  private final INDArray[] values;
  private INDArray lastLogits;
  private int length;

  public SameDiffKvCache(GPT model) {
    this.config = model.config();
    this.prefillGraph = build(model, false);
    this.stepGraph = build(model, true);
    this.outputs = new ArrayList<>();
    outputs.add(Names.DECODE_LOGITS);
    for (int i = 0; i < config.nLayer(); i++) {
      outputs.add(Names.keys(i));
      outputs.add(Names.values(i));
    }
    this.keys = new INDArray[config.nLayer()];
    this.values = new INDArray[config.nLayer()];
  }

  /** The step graph, for tests that check which arrays it holds. */
  SameDiff stepGraph() {
    return stepGraph;
  }

  @Override
  public double[] prefill(int[] ids) {
    if (ids.length < 1 || ids.length > config.blockSize()) {
      throw new IllegalArgumentException(
          "prefill needs 1 to block_size (" + config.blockSize() + ") ids, got " + ids.length);
    }
    Map<String, INDArray> feed = new HashMap<>();
    feed.put(Names.INPUT, GPT.idsArray(ids, 1, ids.length));
    length = ids.length;
    return run(prefillGraph, feed);
  }

  @Override
  public double[] append(int id) {
    if (length == 0 || length >= config.blockSize()) {
      throw new IllegalStateException(
          "append needs 1 to block_size - 1 (" + (config.blockSize() - 1) + ") cached positions, has " + length);
    }
    Map<String, INDArray> feed = new HashMap<>();
    feed.put(Names.INPUT, GPT.idsArray(new int[] {id}, 1, 1));
    feed.put(Names.DECODE_POSITION, Nd4j.createFromArray((long) length));
    for (int i = 0; i < config.nLayer(); i++) {
      feed.put(Names.pastKeys(i), keys[i]);
      feed.put(Names.pastValues(i), values[i]);
    }
    length++;
    return run(stepGraph, feed);
  }

  @Override
  public int length() {
    return length;
  }

  private double[] run(SameDiff graph, Map<String, INDArray> feed) {
    Map<String, INDArray> out = graph.output(feed, outputs);
    for (int i = 0; i < config.nLayer(); i++) {
      keys[i] = out.get(Names.keys(i));
      values[i] = out.get(Names.values(i));
    }
    INDArray logits = out.get(Names.DECODE_LOGITS); // (T_new, V)
    lastLogits = logits.get(NDArrayIndex.point(logits.size(0) - 1), NDArrayIndex.all());
    return lastLogits.toDoubleVector();
  }

  /** The cached keys of block i, [nh, length, hs]. */
  INDArray keys(int i) {
    return keys[i];
  }

  /** The cached values of block i, [nh, length, hs]. */
  INDArray values(int i) {
    return values[i];
  }

  /** The logits after the last token read, [vocab_size]. */
  double[] lastLogits() {
    return lastLogits.toDoubleVector();
  }

  /** The prefill graph (step false) or the one-token step graph (step true), bound to model's weights. */
  private static SameDiff build(GPT model, boolean step) {
    GPTConfig c = model.config();
    DataType dt = model.dataType();
    int C = c.nEmbd();
    int nh = c.nHead();
    int hs = c.headSize();
    SameDiff sd = SameDiff.create();

    // The same blocks as GPT.create, their variables bound to the model's own arrays.
    Map<String, INDArray> live = model.parameters();
    ParameterFactory params = ParameterFactory.sharing(sd, dt, live);
    Dropout noDropout = new Dropout(0.0, dt);
    TokenEmbedding tokenEmbedding = new TokenEmbedding(params, c.vocabSize(), C);
    new PositionEmbedding(sd, params, c.positionalEncoding(), c.blockSize(), C);
    SDVariable wpe = sd.getVariable(Names.WPE); // (block_size, C)
    List<LayerNorm> ln1 = new ArrayList<>();
    List<Linear[]> qkvo = new ArrayList<>();
    List<LayerNorm> ln2 = new ArrayList<>();
    List<Mlp> mlps = new ArrayList<>();
    for (int i = 0; i < c.nLayer(); i++) {
      ln1.add(new LayerNorm(params, Names.ln1(i), C, c.bias()));
      qkvo.add(new Linear[] {
        new Linear(params, Names.wQ(i), Names.bQ(i), C, C, 1.0, c.bias()),
        new Linear(params, Names.wK(i), Names.bK(i), C, C, 1.0, c.bias()),
        new Linear(params, Names.wV(i), Names.bV(i), C, C, 1.0, c.bias()),
        new Linear(params, Names.wO(i), Names.bO(i), C, C, 1.0, c.bias())
      });
      ln2.add(new LayerNorm(params, Names.ln2(i), C, c.bias()));
      mlps.add(new Mlp(params, noDropout, c, i));
    }
    LayerNorm lnF = new LayerNorm(params, Names.LN_F, C, c.bias());
    LmHead lmHead = c.tieEmbeddings() ? LmHead.tied(tokenEmbedding) : LmHead.untied(params, C, c.vocabSize());
    if (!live.keySet().equals(new java.util.HashSet<>(params.names()))) {
      throw new IllegalStateException("decoding graph parameters " + params.names() + " differ from the model's "
          + live.keySet());
    }
    // A sinusoidal wpe is a constant, recomputed here by the same function: equal values.

    SDVariable ids = sd.placeHolder(Names.INPUT, DataType.INT32, 1, step ? 1 : -1); // (1, T_new)
    SDVariable x = tokenEmbedding.apply(sd, ids); // (T_new, C)
    Sequence seq = null;
    if (step) {
      SDVariable t = sd.placeHolder(Names.DECODE_POSITION, DataType.INT64, 1); // [t]
      SDVariable begin = sd.concat(0, t, sd.constant(Nd4j.createFromArray(0L))); // [t, 0]
      x = x.add(sd.slice(wpe, begin, sd.constant(Nd4j.createFromArray(1L, (long) C)))); // (1, C)
    } else {
      seq = Sequence.of(sd, ids, c.blockSize(), dt);
      SDVariable origin = sd.constant(Nd4j.createFromArray(0L, 0L));
      x = x.add(sd.slice(wpe, origin, seq.timeWith(sd, C))); // (T, C)
    }
    double scale = 1.0 / Math.sqrt(hs);
    for (int i = 0; i < c.nLayer(); i++) {
      Linear[] w = qkvo.get(i);
      SDVariable h = ln1.get(i).apply(sd, x); // (T_new, C)
      SDVariable q = heads(sd, w[0].apply(h), nh, hs, step, null); // (nh, T_new, hs)
      SDVariable k;
      SDVariable v;
      SDVariable scores;
      if (step) {
        SDVariable kNew = heads(sd, w[1].apply(h), nh, hs, true, null); // (nh, 1, hs)
        SDVariable vNew = heads(sd, w[2].apply(h), nh, hs, true, null); // (nh, 1, hs)
        SDVariable kPast = sd.placeHolder(Names.pastKeys(i), dt, nh, -1, hs); // (nh, t, hs)
        SDVariable vPast = sd.placeHolder(Names.pastValues(i), dt, nh, -1, hs); // (nh, t, hs)
        k = sd.concat(Names.keys(i), 1, kPast, kNew); // (nh, t+1, hs)
        v = sd.concat(Names.values(i), 1, vPast, vNew); // (nh, t+1, hs)
        scores = sd.mmul(q, k, false, true, false).mul(scale); // (nh, 1, t+1)
      } else {
        k = heads(sd, w[1].apply(h), nh, hs, false, Names.keys(i)); // (nh, T, hs)
        v = heads(sd, w[2].apply(h), nh, hs, false, Names.values(i)); // (nh, T, hs)
        scores = sd.mmul(q, k, false, true, false).mul(scale).add(seq.causalMask()); // (nh, T, T)
      }
      SDVariable att = sd.nn().softmax(scores, 2); // (nh, T_new, T_k)
      SDVariable y = sd.mmul(att, v); // (nh, T_new, hs)
      if (!step) {
        y = sd.permute(y, 1, 0, 2); // (T, nh, hs)
      }
      y = sd.reshape(y, -1, C); // (T_new, C): heads concatenated
      x = x.add(w[3].apply(y)); // (T_new, C)
      x = x.add(mlps.get(i).apply(sd, ln2.get(i).apply(sd, x))); // (T_new, C)
    }
    x = lnF.apply(sd, x); // (T_new, C)
    sd.identity(Names.DECODE_LOGITS, lmHead.apply(sd, x)); // (T_new, V)
    return sd;
  }

  /** (T, C) -> (nh, T, hs); for one token a reshape is enough. */
  private static SDVariable heads(SameDiff sd, SDVariable z, int nh, int hs, boolean oneToken, String name) {
    if (oneToken) {
      return sd.reshape(z, nh, 1, hs); // (nh, 1, hs)
    }
    SDVariable split = sd.reshape(z, -1, nh, hs); // (T, nh, hs)
    return name == null ? sd.permute(split, 1, 0, 2) : sd.permute(name, split, 1, 0, 2); // (nh, T, hs)
  }
}
