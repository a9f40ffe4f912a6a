package minitransformer.training.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import minitransformer.datasets.Batch;
import minitransformer.datasets.BatchSampler;
import minitransformer.datasets.Corpus;
import minitransformer.datasets.SplitMix64;
import minitransformer.framework.GPT;
import minitransformer.framework.exec.OpObserver;
import minitransformer.training.TrainingRun;
import minitransformer.training.config.Config;
import minitransformer.training.step.MicroBatches;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bench --profile}: where a training step's forward and backward time goes, per op type,
 * forward and backward apart, in the passes that training runs: replayed passes (the framework's
 * ReplayedPass), whose ops were bound to their arrays once, so an op's time is its native call
 * through ND4J's executioner. With {@code --replay} it also runs each native call again on the same
 * arrays (median of 3: warm caches). The rest of the step (the gap between ops) is the Java loop
 * over the ops, the placeholders' copy and the gradients' copies. Before replayed passes, this
 * table timed SameDiff's session (framework/docs/performance.md sections 1-11).
 */
public final class OpProfile {
  private OpProfile() {}

  /** Per (phase, op type): how many calls and how long. */
  static final class Tally {
    long count;
    long nanos;
    long replayNanos;
    long replays;
    double flops;
    double bytes;
    final Set<String> shapes = new HashSet<>();
  }

  static final class Timer implements OpObserver {
    final Set<String> forwardOps;
    final Map<String, Tally> tallies = new LinkedHashMap<>();
    boolean replay;
    boolean recording;
    long opNanos;
    long ops;

    Timer(Set<String> forwardOps) {
      this.forwardOps = forwardOps;
    }

    @Override
    public void opRan(DifferentialFunction op, OpContext ctx, long dt) {
      if (!recording) {
        return;
      }
      String phase = forwardOps.contains(op.getOwnName()) ? "fwd" : "bwd";
      String type = op.opName();
      Tally t = tallies.computeIfAbsent(phase + " " + type, k -> new Tally());
      t.count++;
      t.nanos += dt;
      opNanos += dt;
      ops++;
      StringBuilder shape = new StringBuilder();
      double elems = 0;
      for (INDArray in : ctx.getInputArrays()) {
        if (in != null) {
          shape.append(Arrays.toString(in.shape()));
          elems += in.length();
        }
      }
      for (INDArray out : ctx.getOutputArrays()) {
        if (out != null) {
          elems += out.length();
        }
      }
      t.bytes += 4 * elems;
      t.flops += matmulFlops(type, ctx);
      if (t.shapes.size() < 4) {
        t.shapes.add(shape.toString());
      }
      if (replay) {
        long r = replay(op, ctx);
        if (r >= 0) {
          t.replayNanos += r;
          t.replays++;
        }
      }
    }

    /** Median of 3 re-runs of the same native call on the same arrays; -1 if not replayable. */
    private static long replay(DifferentialFunction df, OpContext ctx) {
      long[] times = new long[3];
      try {
        for (int i = 0; i < times.length; i++) {
          long s = System.nanoTime();
          if (df instanceof CustomOp c) {
            Nd4j.getExecutioner().exec(c, ctx);
          } else if (df instanceof Op o) {
            Nd4j.getExecutioner().exec(o, ctx);
          } else {
            return -1;
          }
          times[i] = System.nanoTime() - s;
        }
      } catch (RuntimeException e) {
        return -1;
      }
      Arrays.sort(times);
      return times[1];
    }

    /** 2·m·n·k (times batch) for matmul; twice that for its backward (two products). */
    private static double matmulFlops(String type, OpContext ctx) {
      if (ctx == null || !(type.equals("matmul") || type.equals("matmul_bp"))) {
        return 0;
      }
      INDArray a = ctx.getInputArray(0);
      INDArray b = ctx.getInputArray(1);
      long[] ta = a.shape();
      long[] tb = b.shape();
      List<Long> iargs = ctx.getIArguments();
      boolean transA = iargs.size() > 0 && iargs.get(0) != 0;
      boolean transB = iargs.size() > 1 && iargs.get(1) != 0;
      int r = ta.length;
      long m = transA ? ta[r - 1] : ta[r - 2];
      long k = transA ? ta[r - 2] : ta[r - 1];
      long n = transB ? tb[tb.length - 2] : tb[tb.length - 1];
      long batch = 1;
      for (int i = 0; i < r - 2; i++) {
        batch *= ta[i];
      }
      double f = 2.0 * batch * m * n * k;
      return type.equals("matmul_bp") ? 2 * f : f;
    }
  }

  /**
   * Runs the workload's warm-up and timed steps (forward and backward only, their gradients freed
   * as the training step frees them) with the op timer attached, and prints the op table to out.
   */
  public static void run(Workload workload, boolean replay, PrintWriter out, Consumer<String> progress) {
    Config config = workload.config();
    progress.accept(workload.name() + ": profiling " + workload.steps() + " forward and backward passes, op by op");
    Corpus corpus = TrainingRun.loadCorpus(config);
    GPT model = GPT.create(config.model().toGptConfig(corpus.tokenizer().vocabSize()), config.training().seed());
    int B = config.training().batchSize();
    int T = config.model().blockSize();
    int microBatch = MicroBatches.size(model.config(), B, T, MicroBatches.ACTIVATION_BUDGET_BYTES);
    BatchSampler batches = new BatchSampler(corpus.train(), B, T, new SplitMix64(config.training().seed()));
    Set<String> forward = new HashSet<>(model.sameDiff().getOps().keySet());
    Timer timer = new Timer(forward);
    timer.replay = replay;
    model.observeReplayedOps(timer);

    // A pass shape's first two passes run in SameDiff's session (recorded, then replayed while built).
    int warmup = Math.max(2, workload.warmup());
    int steps = workload.steps();
    long stepNanos = 0;
    long loopStart = 0;
    long cpuNanos = 0;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < warmup + steps; i++) {
      timer.recording = i >= warmup;
      if (i == warmup) {
        loopStart = System.nanoTime();
      }
      Batch batch = batches.next();
      INDArray x = GPT.idsArray(batch.x(), B, T);
      INDArray y = GPT.idsArray(batch.y(), B, T);
      long s = System.nanoTime();
      long c = threads.getCurrentThreadCpuTime();
      MicroBatches.lossAndGradients(model, x, y, i, microBatch).release(); // the training step's forward and backward
      if (timer.recording) {
        stepNanos += System.nanoTime() - s;
        cpuNanos += threads.getCurrentThreadCpuTime() - c;
      }
    }
    double loopMs = (System.nanoTime() - loopStart) / 1e6 / steps;
    ResidentMemory memory = ResidentMemory.now();
    out.printf(Locale.ROOT, "%nop profile of %s: loop %.1f ms per step; main thread CPU time %.1f ms per step;"
            + " VmRSS %.2f GB, VmHWM %.2f GB%n",
        workload.name(), loopMs, cpuNanos / 1e6 / steps, memory.rssBytes() / 1e9, memory.peakBytes() / 1e9);
    print(out, timer, stepNanos, steps);
  }

  private static void print(PrintWriter out, Timer timer, long stepNanos, int steps) {
    List<Map.Entry<String, Tally>> rows = new ArrayList<>(timer.tallies.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue().nanos, a.getValue().nanos));
    double stepMs = stepNanos / 1e6 / steps;
    double opMs = timer.opNanos / 1e6 / steps;
    out.printf(Locale.ROOT,
        "forward+backward (lossAndGradients) %.1f ms per step; %d ops per step; inside ops %.1f ms (%.0f%%);"
            + " between ops %.1f ms%n",
        stepMs, timer.ops / steps, opMs, 100 * opMs / stepMs, stepMs - opMs);
    out.printf(Locale.ROOT, "%-28s %6s %9s %6s %9s %8s %9s %8s  %s%n",
        "phase op", "count", "ms/step", "%step", "replay ms", "us/call", "GFLOP/s", "GB/s", "input shapes (some)");
    for (Map.Entry<String, Tally> e : rows) {
      Tally t = e.getValue();
      double ms = t.nanos / 1e6 / steps;
      double replayMs = t.replays == 0 ? Double.NaN : t.replayNanos / 1e6 / steps;
      double gflops = t.flops == 0 ? Double.NaN : t.flops / t.nanos;
      double gbs = t.bytes / t.nanos;
      out.printf(Locale.ROOT, "%-28s %6d %9.2f %6.1f %9.2f %8.0f %9.1f %8.2f  %s%n",
          e.getKey(), t.count / steps, ms, 100 * ms / stepMs, replayMs, t.nanos / 1e3 / t.count, gflops, gbs,
          String.join(" ", t.shapes));
    }
  }
}
