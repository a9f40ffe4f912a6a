package minitransformer.training.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import minitransformer.framework.generate.Prediction;
import minitransformer.framework.generate.Sampler;
import minitransformer.framework.generate.SamplingOptions;
import minitransformer.training.TrainedModel;

/** What {@code predict --json} prints and {@code POST /api/predict} answers. */
public final class NextTokenReport {
  private NextTokenReport() {}

  /**
   * The top N next tokens after the prompt (the model reads its context, the last block_size tokens),
   * each with the model's probability and log-probability and its probability under draw's
   * temperature, top-k and top-p.
   */
  public static ObjectNode of(TrainedModel m, Prompt prompt, int top, SamplingOptions draw) {
    double[] logits = new Sampler(m.gpt()).nextLogits(prompt.context());
    List<Prediction> best = Sampler.top(logits, Math.min(top, m.config().vocabSize()));
    double[] drawn = Sampler.drawProbabilities(logits, draw);
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("checkpoint", m.directory().toString());
    root.put("step", m.step());
    root.put("prompt_tokens", prompt.tokens());
    root.put("context_tokens", prompt.context().length);
    root.put("temperature", draw.temperature());
    root.put("top_k", draw.topK());
    root.put("top_p", draw.topP());
    ArrayNode list = root.putArray("predictions");
    int rank = 1;
    for (Prediction p : best) {
      ObjectNode entry = list.addObject()
          .put("rank", rank++)
          .put("id", p.id())
          .put("token", m.tokenizer().token(p.id()));
      ArrayNode bytes = entry.putArray("bytes"); // the UTF-8 bytes the token stands for, 0..255
      for (byte b : m.tokenizer().tokenBytes(p.id())) {
        bytes.add(b & 0xFF);
      }
      entry.put("probability", p.probability())
          .put("log_probability", p.logProbability())
          .put("sampling_probability", drawn[p.id()]);
    }
    return root;
  }
}
