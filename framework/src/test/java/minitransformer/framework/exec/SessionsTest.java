package minitransformer.framework.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Set;
import minitransformer.framework.GPT;
import minitransformer.framework.TinyConfigs;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The SameDiff M2.1 fact behind {@link Sessions}: a graph's inference session grows with every
 * output call (its freedArrays set gains the id of every array the call releases and loses none),
 * and releasing the sessions drops it while the outputs already handed out stay valid.
 */
class SessionsTest {
  @Test
  void aSessionGrowsWithEveryCallAndReleaseDropsIt() throws Exception {
    GPT gpt = GPT.create(TinyConfigs.tiny(), 1);
    INDArray ids = TinyConfigs.randomIds(1, TinyConfigs.T, TinyConfigs.V, 3);
    INDArray first = gpt.logits(ids);
    int afterOne = freedArrays(gpt).size();
    for (int i = 0; i < 9; i++) {
      gpt.logits(ids);
    }
    int afterTen = freedArrays(gpt).size();
    assertTrue(afterOne > 0, "a call releases arrays");
    assertTrue(afterTen >= 10 * afterOne, "every call adds ids, none is removed: " + afterOne + ", then " + afterTen);

    INDArray last = gpt.logits(ids);
    Sessions.release(gpt.sameDiff());
    assertTrue(gpt.sameDiff().getSessions().isEmpty());
    assertFalse(last.wasClosed());
    assertEquals(first, last, "an output handed out before the release is intact");
    assertEquals(first, gpt.logits(ids), "the next call builds a fresh session");
    assertEquals(afterOne, freedArrays(gpt).size());
  }

  @Test
  void anEvaluationPassLeavesNoSessionBehind() {
    GPT gpt = GPT.create(TinyConfigs.tiny(), 1);
    INDArray ids = TinyConfigs.randomIds(2, TinyConfigs.T, TinyConfigs.V, 3);
    INDArray targets = TinyConfigs.randomIds(2, TinyConfigs.T, TinyConfigs.V, 4);
    double inSession = gpt.loss(ids, targets); // recorded in SameDiff's session
    assertTrue(gpt.sameDiff().getSessions().isEmpty(), "the recording pass's session is released");
    assertEquals(inSession, gpt.loss(ids, targets), 0.0); // builds the replayed pass
    assertEquals(inSession, gpt.loss(ids, targets), 0.0); // replayed
    assertTrue(gpt.sameDiff().getSessions().isEmpty());
  }

  @SuppressWarnings("unchecked")
  private static Set<Long> freedArrays(GPT gpt) throws ReflectiveOperationException {
    InferenceSession session = gpt.sameDiff().getSessions().values().iterator().next();
    Field f = InferenceSession.class.getDeclaredField("freedArrays");
    f.setAccessible(true);
    return (Set<Long>) f.get(session);
  }
}
