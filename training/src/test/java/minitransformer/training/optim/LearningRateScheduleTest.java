package minitransformer.training.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Values at chosen steps against nanoGPT's get_lr, evaluated by hand. */
class LearningRateScheduleTest {

  // nanoGPT shakespeare-char: learning_rate 1e-3, min_lr 1e-4, warmup 100, lr_decay_iters 2000
  private final LearningRateSchedule cosine =
      new LearningRateSchedule(LearningRateSchedule.Shape.COSINE, 1e-3, 1e-4, 100, 2000);

  @Test
  void warmupIsLinearFromTheFirstStep() {
    assertEquals(1e-3 * 1 / 101, cosine.at(0), 1e-15); // get_lr(0) = lr * (0+1)/(100+1)
    assertEquals(1e-3 * 50 / 101, cosine.at(49), 1e-15);
    assertEquals(1e-3 * 100 / 101, cosine.at(99), 1e-15);
  }

  @Test
  void cosineDecayAtChosenSteps() {
    assertEquals(1e-3, cosine.at(100), 1e-15); // decay_ratio 0: coeff 1
    assertEquals(5.5e-4, cosine.at(1050), 1e-15); // decay_ratio 0.5: coeff 0.5 -> 1e-4 + 0.5 * 9e-4
    // decay_ratio 0.25 at it = 100 + 475 = 575: coeff = 0.5 * (1 + cos(pi/4)) = 0.853553...
    assertEquals(1e-4 + 0.8535533905932737 * 9e-4, cosine.at(575), 1e-15);
    assertEquals(1e-4, cosine.at(2000), 1e-15); // decay_ratio 1: coeff 0
    assertEquals(1e-4, cosine.at(2001), 0); // past lr_decay_iters: min_lr
    assertEquals(1e-4, cosine.at(1_000_000), 0);
  }

  @Test
  void decreasesMonotonicallyAfterWarmup() {
    for (int it = 100; it < 2100; it++) {
      assertEquals(true, cosine.at(it + 1) <= cosine.at(it), "step " + it);
    }
  }

  @Test
  void constantAfterWarmup() {
    LearningRateSchedule constant =
        new LearningRateSchedule(LearningRateSchedule.Shape.CONSTANT, 3e-4, 1e-5, 10, 100);
    assertEquals(3e-4 / 11, constant.at(0), 1e-18);
    assertEquals(3e-4, constant.at(10), 0);
    assertEquals(3e-4, constant.at(5000), 0);
    LearningRateSchedule noWarmup =
        new LearningRateSchedule(LearningRateSchedule.Shape.CONSTANT, 3e-4, 1e-5, 0, 100);
    assertEquals(3e-4, noWarmup.at(0), 0);
  }
}
