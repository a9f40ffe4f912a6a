package minitransformer.framework;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trainable parameters per named matrix and in total, either read from a built {@link GPT} or
 * computed from a {@link GPTConfig} alone (long arithmetic, so GPT-3 175B sizes count without
 * building anything). The fixed sinusoidal table and the rotary tables are constants and are not
 * counted; QK-norm and the logit cap have no parameters.
 */
public record ParameterCount(List<Row> rows) {
  /** One named parameter: its shape and number of entries. */
  public record Row(String name, long[] shape, long count) {
    public Row {
      shape = shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Row r && r.name.equals(name) && Arrays.equals(r.shape, shape) && r.count == count;
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return name + " " + Arrays.toString(shape) + " " + count;
    }
  }

  public ParameterCount {
    rows = List.copyOf(rows);
  }

  /** Read from the graph: every parameter array's name and shape. */
  public static ParameterCount of(GPT model) {
    List<Row> rows = new ArrayList<>();
    model.parameters().forEach((name, value) -> rows.add(row(name, value.shape())));
    return new ParameterCount(rows);
  }

  /** Computed from the config alone, in the model's parameter order. */
  public static ParameterCount of(GPTConfig config) {
    long V = config.vocabSize();
    long C = config.nEmbd();
    long kv = (long) config.nKvHead() * config.headSize(); // key/value width, C without grouping
    long H = config.mlpHidden();
    boolean bias = config.bias();
    boolean rms = config.norm() == NormKind.RMSNORM;
    List<Row> rows = new ArrayList<>();
    rows.add(row(Names.WTE, V, C));
    if (config.positionalEncoding() == PositionalEncoding.LEARNED) {
      rows.add(row(Names.WPE, config.blockSize(), C));
    }
    for (int i = 0; i < config.nLayer(); i++) {
      addNorm(rows, Names.ln1(i), C, bias, rms);
      addLinear(rows, Names.wQ(i), Names.bQ(i), C, C, bias);
      addLinear(rows, Names.wK(i), Names.bK(i), C, kv, bias);
      addLinear(rows, Names.wV(i), Names.bV(i), C, kv, bias);
      addLinear(rows, Names.wO(i), Names.bO(i), C, C, bias);
      addNorm(rows, Names.ln2(i), C, bias, rms);
      if (config.mlp() == MlpKind.SWIGLU) {
        addLinear(rows, Names.wGate(i), Names.bGate(i), C, H, bias);
        addLinear(rows, Names.wUp(i), Names.bUp(i), C, H, bias);
        addLinear(rows, Names.wDown(i), Names.bDown(i), H, C, bias);
      } else {
        addLinear(rows, Names.wFc(i), Names.bFc(i), C, H, bias);
        addLinear(rows, Names.wProj(i), Names.bProj(i), H, C, bias);
      }
    }
    addNorm(rows, Names.LN_F, C, bias, rms);
    if (!config.tieEmbeddings()) {
      rows.add(row(Names.LM_HEAD_W, C, V));
    }
    return new ParameterCount(rows);
  }

  public long total() {
    return rows.stream().mapToLong(Row::count).sum();
  }

  /** Total of the rows whose names start with a prefix, e.g. "h0/", "h0/attn/". */
  public long totalUnder(String prefix) {
    return rows.stream().filter(r -> r.name().startsWith(prefix)).mapToLong(Row::count).sum();
  }

  /** Parameters of block i (LayerNorms, attention and MLP). */
  public long layer(int i) {
    return totalUnder(Names.block(i) + "/");
  }

  /** All attention weights and biases (W_Q, W_K, W_V, W_O over all blocks). */
  public long attention() {
    return rows.stream().filter(r -> r.name().contains("/attn/")).mapToLong(Row::count).sum();
  }

  /** All MLP weights and biases over all blocks. */
  public long mlp() {
    return rows.stream().filter(r -> r.name().contains("/mlp/")).mapToLong(Row::count).sum();
  }

  /** Share of the total in attention, in [0, 1]. */
  public double attentionShare() {
    return (double) attention() / total();
  }

  /** Share of the total in the MLPs, in [0, 1]. */
  public double mlpShare() {
    return (double) mlp() / total();
  }

  /** A table: one line per named matrix, then the totals. */
  public String table() {
    StringBuilder out = new StringBuilder();
    for (Row r : rows) {
      out.append(String.format("%-20s %-14s %,16d%n", r.name(), Arrays.toString(r.shape()), r.count()));
    }
    out.append(String.format("%-35s %,16d%n", "total", total()));
    out.append(String.format("attention %.1f%%, MLP %.1f%%%n", 100 * attentionShare(), 100 * mlpShare()));
    return out.toString();
  }

  /** γ, and β for a LayerNorm with biases (an RMSNorm has none). */
  private static void addNorm(List<Row> rows, String scope, long C, boolean bias, boolean rms) {
    rows.add(row(Names.gamma(scope), C));
    if (bias && !rms) {
      rows.add(row(Names.beta(scope), C));
    }
  }

  private static void addLinear(List<Row> rows, String w, String b, long in, long out, boolean bias) {
    rows.add(row(w, in, out));
    if (bias) {
      rows.add(row(b, out));
    }
  }

  private static Row row(String name, long... shape) {
    long count = 1;
    for (long d : shape) {
      count = Math.multiplyExact(count, d);
    }
    return new Row(name, shape, count);
  }

}
