package minitransformer.training.hf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;

/**
 * The one table from Hugging Face's GPT-2 ({@code GPT2LMHeadModel}'s state dict, {@code
 * modeling_gpt2.py}) to this program's parameters ({@link Names}), used both ways: by import and by
 * export.
 *
 * <p>GPT-2's {@code Conv1D} stores its weight [in, out] and computes {@code x @ W + b}, exactly this
 * program's layout, so no matrix is transposed (nanoGPT's {@code from_pretrained} transposes the
 * Conv1D weights only because its own {@code nn.Linear} is [out, in]). The one change of layout is
 * {@code c_attn}: GPT-2 projects Q, K and V with one [C, 3C] matrix whose columns are Q, K, V side by
 * side, which is W_Q, W_K and W_V concatenated along the columns (and its [3C] bias likewise).
 *
 * <pre>
 *   GPT-2 (optionally under "transformer.")   this program               shape
 *   wte.weight                                wte                        [V, C]
 *   wpe.weight                                wpe                        [n_positions, C]
 *   h.{i}.ln_1.weight / .bias                 h{i}/ln_1/gamma / beta     [C]
 *   h.{i}.attn.c_attn.weight                  h{i}/attn/W_Q | W_K | W_V  [C, 3C] = 3 x [C, C]
 *   h.{i}.attn.c_attn.bias                    h{i}/attn/b_Q | b_K | b_V  [3C] = 3 x [C]
 *   h.{i}.attn.c_proj.weight / .bias          h{i}/attn/W_O / b_O        [C, C] / [C]
 *   h.{i}.ln_2.weight / .bias                 h{i}/ln_2/gamma / beta     [C]
 *   h.{i}.mlp.c_fc.weight / .bias             h{i}/mlp/W_fc / b_fc       [C, 4C] / [4C]
 *   h.{i}.mlp.c_proj.weight / .bias           h{i}/mlp/W_proj / b_proj   [4C, C] / [C]
 *   ln_f.weight / .bias                       ln_f/gamma / beta          [C]
 *   lm_head.weight                            (tied: wte itself)         [V, C]
 * </pre>
 *
 * {@code h.{i}.attn.bias} and {@code h.{i}.attn.masked_bias} are buffers (the causal mask and its
 * fill value), not parameters: they are ignored.
 */
public final class Gpt2Names {
  /** The prefix of {@code GPT2LMHeadModel}'s transformer; {@code GPT2Model}'s own state dict has none. */
  public static final String PREFIX = "transformer.";
  /** The LM head: absent (tied) or equal to {@code wte.weight}. Never under the prefix. */
  public static final String LM_HEAD = "lm_head.weight";
  /** The token embedding, without the prefix. */
  public static final String WTE = "wte.weight";

  private Gpt2Names() {}

  /**
   * One row of the table: the GPT-2 tensor {@code hf} (without the prefix) holds this program's
   * parameters {@code ours}, each of shape {@code ourShape}, side by side along the last axis.
   */
  public record Row(String hf, List<String> ours, long[] ourShape) {
    /** The shape of the GPT-2 tensor: ourShape with the last axis times the number of parameters. */
    public long[] hfShape() {
      long[] s = ourShape.clone();
      s[s.length - 1] *= ours.size();
      return s;
    }

    @Override
    public long[] ourShape() {
      return ourShape.clone();
    }

    @Override
    public String toString() {
      return hf + " " + Arrays.toString(hfShape()) + " -> " + ours;
    }
  }

  /** Every GPT-2 tensor of a model of this architecture (GPT-2's: bias, tied, learned positions). */
  public static List<Row> table(GPTConfig c) {
    long C = c.nEmbd();
    List<Row> rows = new ArrayList<>();
    rows.add(row(WTE, List.of(Names.WTE), c.vocabSize(), C));
    rows.add(row("wpe.weight", List.of(Names.WPE), c.blockSize(), C));
    for (int i = 0; i < c.nLayer(); i++) {
      String h = "h." + i + ".";
      layerNorm(rows, h + "ln_1", Names.ln1(i), C);
      rows.add(row(h + "attn.c_attn.weight", List.of(Names.wQ(i), Names.wK(i), Names.wV(i)), C, C));
      rows.add(row(h + "attn.c_attn.bias", List.of(Names.bQ(i), Names.bK(i), Names.bV(i)), C));
      rows.add(row(h + "attn.c_proj.weight", List.of(Names.wO(i)), C, C));
      rows.add(row(h + "attn.c_proj.bias", List.of(Names.bO(i)), C));
      layerNorm(rows, h + "ln_2", Names.ln2(i), C);
      rows.add(row(h + "mlp.c_fc.weight", List.of(Names.wFc(i)), C, 4 * C));
      rows.add(row(h + "mlp.c_fc.bias", List.of(Names.bFc(i)), 4 * C));
      rows.add(row(h + "mlp.c_proj.weight", List.of(Names.wProj(i)), 4 * C, C));
      rows.add(row(h + "mlp.c_proj.bias", List.of(Names.bProj(i)), C));
    }
    layerNorm(rows, "ln_f", Names.LN_F, C);
    return rows;
  }

  /** True for the buffers GPT-2's state dict may hold that are not parameters (ignored on import). */
  public static boolean isBuffer(String nameWithoutPrefix) {
    return nameWithoutPrefix.matches("h\\.\\d+\\.attn\\.(bias|masked_bias)");
  }

  private static void layerNorm(List<Row> rows, String hf, String ours, long C) {
    rows.add(row(hf + ".weight", List.of(Names.gamma(ours)), C));
    rows.add(row(hf + ".bias", List.of(Names.beta(ours)), C));
  }

  private static Row row(String hf, List<String> ours, long... ourShape) {
    return new Row(hf, ours, ourShape);
  }
}
