package minitransformer.framework;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import minitransformer.framework.blocks.CausalSelfAttention;
import minitransformer.framework.blocks.CrossEntropyLoss;
import minitransformer.framework.blocks.Dropout;
import minitransformer.framework.blocks.Gelu;
import minitransformer.framework.blocks.LayerNorm;
import minitransformer.framework.blocks.ParameterFactory;
import minitransformer.framework.blocks.Sequence;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How many ops each written-out block executes in a training step, forward and backward (every op
 * pays an output allocation, its zero-fill and a shape function in M2.1), and the op-output bytes of
 * a whole step. Upper bounds guard against a block growing back; framework/docs/performance.md has
 * the before/after table these figures came from.
 */
class OpCountTest {
  private static final int B = 2;
  private static final int T = 5;
  private static final GPTConfig SMALL = new GPTConfig(7, 6, 1, 2, 8, PositionalEncoding.LEARNED, false, true, 0.0);

  /** Ops of block(sd, x, seq) in a gradient step, minus those of the harness's own loss sum(y ⊙ R). */
  private static OpCounter countBlock(BiFunction<SameDiff, SDVariable[], SDVariable> block) {
    OpCounter harness = runHarness((sd, in) -> in[0]);
    OpCounter counted = runHarness(block);
    counted.forward -= harness.forward;
    counted.backward -= harness.backward;
    return counted;
  }

  private static OpCounter runHarness(BiFunction<SameDiff, SDVariable[], SDVariable> block) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.randn(DataType.FLOAT, B * T, SMALL.nEmbd()));
    SDVariable y = block.apply(sd, new SDVariable[] {x});
    INDArray r = Nd4j.rand(DataType.FLOAT, y.getShape() == null ? new long[] {B * T, SMALL.nEmbd()} : y.getShape());
    sd.setLossVariables(y.mul(sd.constant(r)).sum());
    OpCounter counter = OpCounter.attachTo(sd);
    List<String> variables = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        variables.add(v.name());
      }
    }
    sd.calculateGradients(Map.of(), variables);
    return counter;
  }

  private static Sequence sequence(SameDiff sd) {
    return Sequence.of(sd, sd.constant(Nd4j.zeros(DataType.INT32, B, T)), SMALL.blockSize(), DataType.FLOAT);
  }

  @Test
  void layerNorm() {
    OpCounter c =
        countBlock((sd, in) -> new LayerNorm(new ParameterFactory(sd, DataType.FLOAT, 1), "ln", SMALL.nEmbd(), true, GPTConfig.DEFAULT_NORM_EPS)
            .apply(sd, in[0]));
    System.out.println("LayerNorm: " + c);
    assertTrue(c.forward <= 11 && c.backward <= 16, c.toString());
  }

  @Test
  void gelu() {
    OpCounter c = countBlock((sd, in) -> Gelu.apply(sd, in[0]));
    System.out.println("GELU: " + c);
    assertTrue(c.forward <= 6 && c.backward <= 8, c.toString());
  }

  @Test
  void attention() {
    OpCounter c =
        countBlock((sd, in) -> new CausalSelfAttention(
                new ParameterFactory(sd, DataType.FLOAT, 1), new Dropout(0, DataType.FLOAT), SMALL, 0)
            .apply(sd, in[0], sequence(sd)));
    System.out.println("attention: " + c);
    assertTrue(c.forward <= 22 && c.backward <= 23, c.toString());
  }

  /** The loss on its own: logits are the harness's x (B*T, 8) read as a vocabulary of 8. */
  @Test
  void loss() {
    SameDiff sd = SameDiff.create();
    SDVariable logits = sd.var("z", Nd4j.randn(DataType.FLOAT, B * T, 8));
    SDVariable targets = sd.constant(Nd4j.zeros(DataType.INT32, B, T));
    CrossEntropyLoss.apply(sd, "ce", logits, targets, 8);
    sd.setLossVariables("ce");
    OpCounter c = OpCounter.attachTo(sd);
    sd.calculateGradients(Map.of(), "z");
    System.out.println("cross-entropy: " + c);
    assertTrue(c.forward <= 4 && c.backward <= 4, c.toString());
  }

  private static OpCounter step(GPTConfig config, int batch) {
    GPT gpt = GPT.create(config, 1);
    OpCounter c = OpCounter.attachTo(gpt.sameDiff());
    INDArray ids = TinyConfigs.randomIds(batch, config.blockSize(), config.vocabSize(), 1);
    INDArray targets = TinyConfigs.randomIds(batch, config.blockSize(), config.vocabSize(), 2);
    gpt.lossAndGradients(ids, targets, 1);
    c.reset();
    gpt.lossAndGradients(ids, targets, 2);
    return c;
  }

  /** The char bench workload (nanoGPT's CPU recipe: 4 layers, C 128, 4 heads, T 64, B 12, tied, no bias). */
  @Test
  void charStep() {
    OpCounter c = step(new GPTConfig(65, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0), 12);
    System.out.println("char step: " + c);
    assertTrue(c.forward + c.backward <= 515, c.toString());
  }

  /** The word bench workload: the same model with a vocabulary of 11,466. */
  @Tag("slow")
  @Test
  void wordStep() {
    OpCounter c = step(new GPTConfig(11466, 64, 4, 4, 128, PositionalEncoding.LEARNED, false, true, 0.0), 12);
    System.out.println("word step: " + c);
    assertTrue(c.forward + c.backward <= 515, c.toString());
  }
}
