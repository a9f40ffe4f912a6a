package minitransformer.training.serve;

import static minitransformer.framework.analysis.Arrays2.norm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import minitransformer.framework.analysis.AttentionExplanation;
import minitransformer.framework.analysis.HeadSelection;

/** {@link AttentionExplanation} as JSON: what {@code attention --explain --vectors} prints, as numbers. */
final class Explanations {
  private Explanations() {}

  /** One block at one query position; the heads shown. */
  static ObjectNode json(AttentionExplanation e, HeadSelection shown) {
    ObjectNode block = JsonNodeFactory.instance.objectNode();
    block.put("layer", e.layer()).put("position", e.position());
    block.put("residual_in_norm", norm(e.residualIn()));
    block.set("residual_in", Api.vector(e.residualIn()));
    block.set("normed", Api.vector(e.normed()));
    ArrayNode heads = block.putArray("heads");
    for (int hi : shown.heads(e.heads().size())) {
      AttentionExplanation.Head h = e.heads().get(hi);
      ObjectNode o = heads.addObject();
      o.put("head", h.head());
      o.set("query", Api.vector(h.query()));
      o.put("query_norm", norm(h.query()));
      o.set("keys", Api.matrix(h.keys()));
      o.set("values", Api.matrix(h.values()));
      o.set("dots", Api.vector(h.dots()));
      o.set("scores", Api.vector(h.scores()));
      o.set("weights", Api.vector(h.weights()));
      o.set("contributions", Api.matrix(h.contributions()));
      double[] contributionNorms = new double[h.weights().length];
      for (int s = 0; s < contributionNorms.length; s++) {
        contributionNorms[s] = h.contributionNorm(s);
      }
      o.set("contribution_norms", Api.vector(contributionNorms));
      o.set("output", Api.vector(h.output()));
      o.put("output_norm", norm(h.output()));
      headOptions(o, e, h);
    }
    block.put("projected_norm", norm(e.projected()));
    block.put("residual_out_norm", norm(e.residualOut()));
    block.put("max_weight_difference", e.maxWeightDifference());
    block.put("max_block_out_difference", e.maxBlockOutDifference());
    if (e.rotary()) {
      block.set("rope_angles", Api.vector(e.angles()));
    }
    if (e.grouped()) {
      block.put("kv_heads", e.kvHeads());
    }
    if (e.qkNorm()) {
      block.put("qk_norm", true);
    }
    return block;
  }

  /** The steps of rope, grouped-query attention and QK-norm; absent for a model without them (GPT-2's JSON). */
  private static void headOptions(ObjectNode o, AttentionExplanation e, AttentionExplanation.Head h) {
    if (e.grouped()) {
      o.put("kv_head", h.kvHead());
    }
    if (e.rotary()) {
      o.set("query_before_rotation", Api.vector(h.queryProjected()));
      o.set("keys_before_rotation", Api.matrix(h.keysProjected()));
      o.set("query_rotated", Api.vector(h.queryRotated()));
      o.set("keys_rotated", Api.matrix(h.keysRotated()));
      o.set("dots_before_rotation", Api.vector(h.projectedDots()));
    }
    if (e.qkNorm()) {
      o.set("query_before_qk_norm", Api.vector(h.queryBeforeNorm()));
      o.put("query_norm_before_qk_norm", norm(h.queryBeforeNorm()));
      double[] before = new double[h.keys().length];
      double[] after = new double[h.keys().length];
      for (int s = 0; s < before.length; s++) {
        before[s] = norm(h.keyBeforeNorm(s));
        after[s] = norm(h.keys()[s]);
      }
      o.set("key_norms_before_qk_norm", Api.vector(before));
      o.set("key_norms", Api.vector(after));
    }
  }
}
