package minitransformer.training.viz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import minitransformer.framework.analysis.AttentionMaps;

/**
 * Every attention weight as one CSV row: layer,head,query_pos,key_pos,query_token,key_token,weight
 * (masked cells included, with weight 0). Tokens are quoted as RFC 4180 says when they need it.
 */
public final class AttentionCsv {
  public static final String HEADER = "layer,head,query_pos,key_pos,query_token,key_token,weight";

  private AttentionCsv() {}

  /** Every cell of the chosen layer and head (null: all of them). */
  public static void write(Writer out, AttentionMaps maps, List<String> tokens, Integer layer, Integer head) {
    try {
      out.write(HEADER + "\n");
      for (int l = 0; l < maps.layers(); l++) {
        for (int h = 0; h < maps.heads(); h++) {
          if ((layer != null && layer != l) || (head != null && head != h)) {
            continue;
          }
          for (int t = 0; t < maps.length(); t++) {
            for (int s = 0; s < maps.length(); s++) {
              out.write(l + "," + h + "," + t + "," + s + "," + field(tokens.get(t)) + "," + field(tokens.get(s))
                  + "," + maps.weight(l, h, t, s) + "\n");
            }
          }
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CSV", e);
    }
  }

  static String field(String text) {
    if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")
        || !text.equals(text.strip())) {
      return "\"" + text.replace("\"", "\"\"") + "\"";
    }
    return text;
  }
}
