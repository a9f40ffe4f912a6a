package minitransformer.training.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.framework.GPTConfig;
import minitransformer.framework.exec.LossAndGradients;
import minitransformer.framework.PositionalEncoding;
import minitransformer.training.metrics.Evaluation;
import minitransformer.training.metrics.Evaluator;
import minitransformer.training.metrics.TokensPerByte;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Data parallelism gives the bits of the same slices run one after the other: the slices' results
 * are summed in slice order whatever thread computed them, so only the worker count (which sets the
 * slicing) changes a run, never the timing.
 */
class ReplicasTest {
  private static final int V = 11;

  @Test
  void slicesOnTwoGraphsSumToTheSequentialAccumulationBitForBit() {
    GPT gpt = GPT.create(new GPTConfig(V, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.1), 1);
    INDArray ids = MicroBatchesTest.randomIds(5, 8, 7);
    INDArray targets = MicroBatchesTest.randomIds(5, 8, 8);
    try (Replicas two = Replicas.of(gpt, 2); Replicas three = Replicas.of(gpt, 3)) {
      for (int micro : List.of(1, 2, 3)) { // 5 slices (3 waves of 2), 3 slices, 2 slices (3 + 2 sequences)
        LossAndGradients sequential = MicroBatches.lossAndGradients(gpt, ids, targets, 3, micro);
        for (Replicas replicas : List.of(two, three)) {
          for (int repeat = 0; repeat < 2; repeat++) {
            LossAndGradients parallel = MicroBatches.lossAndGradients(replicas, ids, targets, 3, micro);
            String what = replicas.count() + " graphs, micro-batch " + micro;
            assertEquals(sequential.loss(), parallel.loss(), 0.0, what);
            for (String name : gpt.parameterNames()) {
              assertEquals(sequential.gradients().get(name), parallel.gradients().get(name), name + ", " + what);
            }
          }
        }
      }
      assertTrue(gpt.replayedPassBytes() > 0, "the passes were replayed");
    }
    assertEquals(0, gpt.replayedPassBytes(), "closing (training is over) frees the graphs' replayed passes");
  }

  @Test
  void mapRunsTaskIOnGraphIOnItsOwnThreadAndKeepsTheOrder() {
    GPT gpt = GPT.create(new GPTConfig(V, 8, 1, 1, 8, PositionalEncoding.LEARNED, false, true, 0.0), 1);
    try (Replicas replicas = Replicas.of(gpt, 3)) {
      Set<String> threads = ConcurrentHashMap.newKeySet();
      List<GPT> graphs = new ArrayList<>();
      List<Integer> out = replicas.map(3, (graph, i) -> {
        threads.add(Thread.currentThread().getName());
        synchronized (graphs) {
          graphs.add(graph);
        }
        return i * 10;
      });
      assertEquals(List.of(0, 10, 20), out);
      assertEquals(3, threads.size(), "three threads: " + threads);
      assertEquals(3, Set.copyOf(graphs).size(), "three graphs");
      assertEquals(gpt, replicas.model());

      IllegalStateException e = assertThrows(IllegalStateException.class, () -> replicas.map(3, (graph, i) -> {
        if (i == 2) {
          throw new IllegalStateException("task " + i);
        }
        return i;
      }));
      assertEquals("task 2", e.getMessage());
      assertEquals(List.of(0, 1), replicas.map(2, (graph, i) -> i), "usable after a failure");
      assertThrows(IllegalArgumentException.class, () -> replicas.map(4, (graph, i) -> i));
    }
    assertThrows(IllegalArgumentException.class, () -> Replicas.of(gpt, 0));
  }

  @Test
  void evaluationIsTheSameOnOneGraphOrThree() {
    GPT gpt = GPT.create(new GPTConfig(V, 8, 2, 2, 16, PositionalEncoding.LEARNED, true, true, 0.0), 1);
    int[] train = MicroBatchesTest.randomIds(1, 300, 1).toIntVector();
    int[] validation = MicroBatchesTest.randomIds(1, 100, 2).toIntVector();
    Evaluation one = evaluator(train, validation).evaluate(gpt, 0);
    Evaluation three;
    try (Replicas replicas = Replicas.of(gpt, 3)) {
      three = evaluator(train, validation).evaluate(replicas, 0); // 7 batches: waves of 3, 3 and 1
    }
    assertEquals(one.trainLoss(), three.trainLoss(), 0.0);
    assertEquals(one.valLoss(), three.valLoss(), 0.0);
    assertNotEquals(one.trainLoss(), one.valLoss());
  }

  private static Evaluator evaluator(int[] train, int[] validation) {
    return new Evaluator(train, validation, 3, 8, 7, new SplitMix64(5), false, TokensPerByte.ONE);
  }
}
