package minitransformer.training.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.framework.GPT;
import minitransformer.framework.Names;
import minitransformer.training.TrainedModel;
import minitransformer.training.hf.Gpt2Checkpoint;
import minitransformer.training.hf.HfModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * POST /api/sample stops at {@code <|endoftext|>} as the sample command does (report.EndOfText): no token
 * event for it, and done says it stopped; {@code "stop": false} goes on. The tiny hub-layout GPT-2 with its
 * final LayerNorm set so that <|endoftext|> (299) is every position's most likely token.
 */
class SampleEndOfTextTest {
  @TempDir Path tmp;

  @Test
  void theSampleStreamStopsAtEndOfTextUnlessToldToGoOn() throws Exception {
    Gpt2Tokenizer tokenizer = HfModels.hub(tmp);
    Gpt2Checkpoint.Model read = Gpt2Checkpoint.read(tmp);
    Map<String, INDArray> p = new LinkedHashMap<>(read.parameters());
    INDArray wte = p.get(Names.WTE).dup();
    wte.getRow(299).muli(4);
    p.put(Names.WTE, wte);
    p.put(Names.gamma(Names.LN_F), p.get(Names.gamma(Names.LN_F)).mul(0));
    p.put(Names.beta(Names.LN_F), wte.getRow(299).mul(4).reshape(p.get(Names.beta(Names.LN_F)).shape()));
    GPT gpt = GPT.create(read.config(), 0);
    gpt.loadParameters(p);
    TrainedModel model = new TrainedModel(tmp, 0, gpt, tokenizer, read.config());
    try (ExplorerServer server = ExplorerServer.start(model, "127.0.0.1", 0, 1)) {
      ServeClient client = new ServeClient(server.uri());
      List<ServeClient.Event> stopped = client.sample("{\"prompt\": \" the cat\", \"tokens\": 5, \"temperature\": 0}");
      assertEquals(List.of("prompt", "done"), stopped.stream().map(ServeClient.Event::name).toList());
      ServeClient.Event done = stopped.get(1);
      assertTrue(done.data().get("stopped").asBoolean(), done.toString());
      assertEquals("<|endoftext|>", done.data().get("stop_token").asText());
      assertEquals(1, done.data().get("tokens").asInt());
      assertEquals(" the cat", ServeClient.doneText(stopped));

      List<ServeClient.Event> onward =
          client.sample("{\"prompt\": \" the cat\", \"tokens\": 5, \"temperature\": 0, \"stop\": false}");
      assertEquals(7, onward.size(), "prompt, 5 tokens, done");
      assertFalse(onward.get(6).data().get("stopped").asBoolean());
      assertEquals(" the cat" + "<|endoftext|>".repeat(5), ServeClient.doneText(onward));
      assertEquals(400, client.post("/api/sample", "{\"prompt\": \"a\", \"stop\": 1}").statusCode());
    }
  }
}
