package minitransformer.training.hf;

import java.util.ArrayList;
import java.util.List;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;

/**
 * The one table from Hugging Face's Llama ({@code LlamaForCausalLM}'s state dict, {@code
 * modeling_llama.py}) to this program's parameters ({@link Names}), used both ways: by import and by
 * export.
 *
 * <p>Llama's {@code nn.Linear} stores its weight [out, in] and computes {@code x @ W.T}; this program
 * stores W [in, out] and computes {@code x·W}, so every projection and an untied {@code lm_head} is
 * transposed, and nothing else is. The rows of {@code q_proj} and {@code k_proj} are taken in Hugging
 * Face's order, unpermuted: a Hugging Face Llama checkpoint already has them permuted for {@code
 * rotate_half} (the conversion from Meta's interleaved pairs does that), and this program's {@code
 * Rotary} applies the same {@code rotate_half} pairing (i with i + hs/2). LlamaCheckpointTest proves it
 * against the NumPy forward pass of modeling_llama.
 *
 * <pre>
 *   Llama (under "model.")                          this program          shape (Llama's)
 *   embed_tokens.weight                             wte                   [V, C]
 *   layers.{i}.input_layernorm.weight               h{i}/ln_1/gamma       [C]
 *   layers.{i}.self_attn.q_proj.weight              h{i}/attn/W_Q  (ᵀ)    [nh·hs, C]
 *   layers.{i}.self_attn.k_proj.weight              h{i}/attn/W_K  (ᵀ)    [n_kv·hs, C]
 *   layers.{i}.self_attn.v_proj.weight              h{i}/attn/W_V  (ᵀ)    [n_kv·hs, C]
 *   layers.{i}.self_attn.o_proj.weight              h{i}/attn/W_O  (ᵀ)    [C, nh·hs]
 *   layers.{i}.post_attention_layernorm.weight      h{i}/ln_2/gamma       [C]
 *   layers.{i}.mlp.gate_proj.weight                 h{i}/mlp/W_gate (ᵀ)   [I, C]
 *   layers.{i}.mlp.up_proj.weight                   h{i}/mlp/W_up   (ᵀ)   [I, C]
 *   layers.{i}.mlp.down_proj.weight                 h{i}/mlp/W_down (ᵀ)   [C, I]
 *   norm.weight                                     ln_f/gamma            [C]
 *   lm_head.weight (no prefix; absent when tied)    lm_head/W      (ᵀ)    [V, C]
 * </pre>
 *
 * {@code layers.{i}.self_attn.rotary_emb.inv_freq}, a buffer older conversions saved, is ignored.
 */
public final class LlamaNames {
  /** The prefix of {@code LlamaForCausalLM}'s decoder; {@code LlamaModel}'s own state dict has none. */
  public static final String PREFIX = "model.";
  /** The untied LM head (never under the prefix). */
  public static final String LM_HEAD = "lm_head.weight";
  /** The token embedding, without the prefix. */
  public static final String EMBED = "embed_tokens.weight";

  private LlamaNames() {}

  /**
   * One row: the Llama tensor {@code hf} (without the prefix, except {@code lm_head.weight}) of shape
   * {@code hfShape} holds this program's parameter {@code ours}, transposed when {@code transposed}.
   */
  public record Row(String hf, String ours, long[] hfShape, boolean transposed) {
    @Override
    public long[] hfShape() {
      return hfShape.clone();
    }

    /** This program's shape: the Llama shape, reversed when transposed. */
    public long[] ourShape() {
      return transposed ? new long[] {hfShape[1], hfShape[0]} : hfShape.clone();
    }
  }

  /** Every tensor of a Llama model of this architecture; {@code lm_head.weight} only when untied. */
  public static List<Row> table(GPTConfig c) {
    long C = c.nEmbd();
    long q = (long) c.nHead() * c.headSize();
    long kv = (long) c.nKvHead() * c.headSize();
    long I = c.mlpHidden();
    List<Row> rows = new ArrayList<>();
    rows.add(new Row(EMBED, Names.WTE, new long[] {c.vocabSize(), C}, false));
    for (int i = 0; i < c.nLayer(); i++) {
      String l = "layers." + i + ".";
      rows.add(new Row(l + "input_layernorm.weight", Names.gamma(Names.ln1(i)), new long[] {C}, false));
      rows.add(new Row(l + "self_attn.q_proj.weight", Names.wQ(i), new long[] {q, C}, true));
      rows.add(new Row(l + "self_attn.k_proj.weight", Names.wK(i), new long[] {kv, C}, true));
      rows.add(new Row(l + "self_attn.v_proj.weight", Names.wV(i), new long[] {kv, C}, true));
      rows.add(new Row(l + "self_attn.o_proj.weight", Names.wO(i), new long[] {C, q}, true));
      rows.add(new Row(l + "post_attention_layernorm.weight", Names.gamma(Names.ln2(i)), new long[] {C}, false));
      rows.add(new Row(l + "mlp.gate_proj.weight", Names.wGate(i), new long[] {I, C}, true));
      rows.add(new Row(l + "mlp.up_proj.weight", Names.wUp(i), new long[] {I, C}, true));
      rows.add(new Row(l + "mlp.down_proj.weight", Names.wDown(i), new long[] {C, I}, true));
    }
    rows.add(new Row("norm.weight", Names.gamma(Names.LN_F), new long[] {C}, false));
    if (!c.tieEmbeddings()) rows.add(new Row(LM_HEAD, Names.LM_HEAD_W, new long[] {c.vocabSize(), C}, true));
    return rows;
  }

  /** The name in the file: {@code lm_head.weight} as it is, every other tensor under the prefix. */
  static String inFile(Row row, String prefix) {
    return row.hf().equals(LM_HEAD) ? LM_HEAD : prefix + row.hf();
  }

  /** True for the buffers a Llama state dict may hold that are not parameters (ignored on import). */
  public static boolean isBuffer(String nameWithoutPrefix) {
    return nameWithoutPrefix.matches("layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");
  }
}
