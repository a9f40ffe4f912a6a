package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.datasets.Tokenizer;
import minitransformer.framework.GPT;
import minitransformer.framework.Names;
import minitransformer.training.viz.TokenText;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code similarity} end to end: the tables, the nearest words and the trajectory, recomputed here. */
class SimilarityCommandTest {
  static String run;
  static GPT gpt;
  static Tokenizer tokenizer;

  @BeforeAll
  static void train() throws IOException {
    run = TinyTrainedModel.run().toString();
    gpt = TinyTrainedModel.model();
    tokenizer = TinyTrainedModel.tokenizer();
  }

  private static double[] row(INDArray matrix, int i) {
    return matrix.getRow(i).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double cosine(double[] a, double[] b) {
    return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
  }

  private static double[] embedding(String word) {
    return row(gpt.parameters().get(Names.WTE), tokenizer.id(word).getAsInt());
  }

  /** The numbers on the table line that starts with label, after the section titled title. */
  private static double[] tableRow(String out, String title, String label) {
    String section = out.substring(out.indexOf(title));
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + " +([-0-9. ]+)$").matcher(section);
    assertTrue(m.find(), label + " row after " + title + " in:\n" + out);
    String[] cells = m.group(1).trim().split(" +");
    double[] values = new double[cells.length];
    for (int i = 0; i < cells.length; i++) {
      values[i] = Double.parseDouble(cells[i]);
    }
    return values;
  }

  @Test
  void threeTablesOfTheEmbeddings() {
    CliRun r = CliRun.of("similarity", "--checkpoint", run, "--words", "apple,orange,phone");
    assertEquals(0, r.exit(), r.err());
    List<String> words = List.of("apple", "orange", "phone");
    for (String a : words) {
      double[] dot = tableRow(r.out(), "dot product", a);
      double[] cos = tableRow(r.out(), "cosine similarity", a);
      double[] scaled = tableRow(r.out(), "scaled dot product", a);
      for (int j = 0; j < 3; j++) {
        double[] x = embedding(a);
        double[] y = embedding(words.get(j));
        assertEquals(dot(x, y), dot[j], 1e-4);
        assertEquals(cosine(x, y), cos[j], 1e-4);
        assertEquals(dot(x, y) / Math.sqrt(16), scaled[j], 1e-4);
      }
    }
  }

  @Test
  void nearestWordsByCosine() {
    CliRun r = CliRun.of("similarity", "--checkpoint", run, "--nearest", "apple", "--top", "3");
    assertEquals(0, r.exit(), r.err());
    double[] apple = embedding("apple");
    double best = Double.NEGATIVE_INFINITY;
    String bestWord = null;
    for (int id = 0; id < tokenizer.vocabSize(); id++) {
      double c = cosine(apple, row(gpt.parameters().get(Names.WTE), id));
      if (id != tokenizer.id("apple").getAsInt() && c > best) {
        best = c;
        bestWord = tokenizer.token(id);
      }
    }
    Matcher m = Pattern.compile("(?m)^ +1 +(\\S+) +(\\S+)$").matcher(r.out());
    assertTrue(m.find(), r.out());
    assertEquals(TokenText.display(bestWord), m.group(1));
    assertEquals(best, Double.parseDouble(m.group(2)), 1e-4);
    assertEquals(3, r.out().lines().filter(l -> l.matches(" +\\d+ +\\S+ +\\S+")).count());
  }

  @Test
  void followsTheWordsVectorThroughTheLayers() {
    CliRun r = CliRun.of("similarity", "--checkpoint", run, "--prompt", TinyTrainedModel.PROMPT, "--word", "apple",
        "--ref", "orange,phone");
    assertEquals(0, r.exit(), r.err());
    int[] ids = tokenizer.encode(TinyTrainedModel.PROMPT);
    int t = ids.length - 1;
    List<String> stages = List.of(Names.EMBEDDINGS_OUT, Names.blockOut(0), Names.blockOut(1), Names.LN_F_OUT);
    var outputs = gpt.outputs(GPT.idsArray(ids, 1, ids.length), stages);
    for (String stage : stages) {
      double[] v = outputs.get(stage).get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
          org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all())
          .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
      double[] printed = tableRow(r.out(), "cosine similarity of its vector", stage);
      assertEquals(cosine(v, embedding("orange")), printed[0], 1e-4, stage);
      assertEquals(cosine(v, embedding("phone")), printed[1], 1e-4, stage);
    }
  }

  @Test
  void badInputsGiveOneErrorLine() {
    CliRun.of("similarity", "--checkpoint", run, "--words", "apple,kiwi").assertOneErrorLine("\"kiwi\"");
    CliRun.of("similarity", "--checkpoint", run, "--nearest", "banana").assertOneErrorLine("\"banana\"");
    CliRun.of("similarity", "--checkpoint", run, "--words", "apple").assertOneErrorLine("at least two");
    CliRun.of("similarity", "--checkpoint", run).assertOneErrorLine("exactly one of");
    CliRun.of("similarity", "--checkpoint", run, "--words", "apple,phone", "--nearest", "apple")
        .assertOneErrorLine("exactly one of");
    CliRun.of("similarity", "--checkpoint", run, "--prompt", "the apple").assertOneErrorLine("--word");
    CliRun.of("similarity", "--checkpoint", run, "--prompt", "the apple", "--word", "phone", "--ref", "orange")
        .assertOneErrorLine("does not occur in the prompt");
    CliRun.of("similarity", "--checkpoint", run, "--prompt", "the apple", "--word", "apple", "--ref", "orange,plum")
        .assertOneErrorLine("\"plum\"");
    CliRun.of("similarity", "--checkpoint", run, "--nearest", "apple", "--top", "0").assertOneErrorLine("--top");
  }
}
