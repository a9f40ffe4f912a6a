package minitransformer.training.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.Names;
import minitransformer.framework.ParameterCount;
import minitransformer.training.checkpoint.ModelConfigJson;

/**
 * What {@code params --json} prints and the server's model card shows: an architecture's every
 * parameter matrix with what it is in the words of the equations, its group, shape and count, per
 * layer and in total.
 */
public final class ParamsDocument {
  private ParamsDocument() {}

  /** The document: config, matrices, totals. */
  public static Map<String, Object> of(GPTConfig c, ParameterCount count) {
    Map<String, Object> doc = new LinkedHashMap<>();
    ObjectNode model = JsonNodeFactory.instance.objectNode();
    ModelConfigJson.write(c, model); // the architecture's one JSON form, as in meta.json and model_config.json
    doc.put("model", model);
    List<Map<String, Object>> matrices = new ArrayList<>();
    for (ParameterCount.Row row : count.rows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", row.name());
      m.put("what", describe(row.name()));
      m.put("group", group(row.name()));
      m.put("shape", row.shape());
      m.put("count", row.count());
      matrices.add(m);
    }
    doc.put("matrices", matrices);
    List<Long> layers = new ArrayList<>();
    for (int i = 0; i < c.nLayer(); i++) {
      layers.add(count.layer(i));
    }
    doc.put("layers", layers);
    doc.put("groups", groups(count));
    doc.put("total", count.total());
    doc.put("attention", count.attention());
    doc.put("mlp", count.mlp());
    doc.put("attention_share", count.attentionShare());
    doc.put("mlp_share", count.mlpShare());
    return doc;
  }

  /** What a named parameter is, in the words of the equations. */
  public static String describe(String name) {
    String leaf = name.substring(name.lastIndexOf('/') + 1);
    if (name.equals(Names.WTE)) return "token embedding";
    if (name.equals(Names.WPE)) return "position embedding";
    if (name.equals(Names.LM_HEAD_W)) return "LM head";
    String norm = name.contains("/ln_1/") ? "ln_1 " : name.contains("/ln_2/") ? "ln_2 " : name.startsWith(Names.LN_F) ? "ln_f " : "";
    return switch (leaf) {
      case "gamma" -> norm + "scale γ";
      case "beta" -> norm + "shift β";
      case "W_Q" -> "query W_Q";
      case "W_K" -> "key W_K";
      case "W_V" -> "value W_V";
      case "W_O" -> "output W_O";
      case "b_Q", "b_K", "b_V", "b_O" -> leaf.charAt(2) == 'O' ? "output bias" : leaf.substring(2).toLowerCase(Locale.ROOT) + " bias";
      case "W_fc" -> "MLP up, C -> hidden";
      case "b_fc" -> "MLP up bias";
      case "W_proj" -> "MLP down, hidden -> C";
      case "b_proj" -> "MLP down bias";
      case "W_gate" -> "SwiGLU gate, C -> hidden";
      case "W_up" -> "SwiGLU up, C -> hidden";
      case "W_down" -> "SwiGLU down, hidden -> C";
      case "b_gate", "b_up", "b_down" -> "SwiGLU " + leaf.substring(2) + " bias";
      default -> "";
    };
  }

  /** embedding, attention, mlp, layernorm or lm_head. */
  static String group(String name) {
    if (name.equals(Names.WTE) || name.equals(Names.WPE)) return "embedding";
    if (name.contains("/attn/")) return "attention";
    if (name.contains("/mlp/")) return "mlp";
    if (name.endsWith("/gamma") || name.endsWith("/beta")) return "layernorm"; // RMSNorm's γ too
    return "lm_head";
  }

  /** The parameters of each group, in the order embedding, attention, mlp, layernorm, lm_head. */
  public static Map<String, Long> groups(ParameterCount count) {
    Map<String, Long> groups = new LinkedHashMap<>();
    for (String g : List.of("embedding", "attention", "mlp", "layernorm", "lm_head")) {
      groups.put(g, 0L);
    }
    for (ParameterCount.Row row : count.rows()) {
      groups.merge(group(row.name()), row.count(), Long::sum);
    }
    return groups;
  }
}
