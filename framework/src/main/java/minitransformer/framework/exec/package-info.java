/**
 * An execution engine for SameDiff graphs: runs a graph's training passes (a loss and the gradient
 * of every parameter) and evaluation passes (a loss), first in SameDiff's session and then by
 * replaying the same native calls on arrays bound once. {@link minitransformer.framework.exec.Passes}
 * is its one entry point; it knows the graph, the name of its loss variable and its parameters, and
 * nothing of the model. SameDiff M2.1's behaviour that this package works around is written down in
 * framework/docs/samediff-m2.1.md.
 *
 * <h2>Lifecycle of a pass, per shape</h2>
 *
 * Passes are told apart by kind (training or evaluation) and by the shape of their placeholders
 * (each placeholder's name, data type and shape). For each shape:
 *
 * <ol>
 *   <li><b>First pass: SameDiff's session, then the plan.</b> The session runs it while {@code
 *       OrderRecorder}, the engine's one listener, records which ops ran, in order, and on which
 *       graph (for a training pass, the gradient function). A training pass's op outputs are freed
 *       as soon as their last reader has run ({@code StepArrays}), and the gradient function's
 *       sessions are dropped at its end ({@code GradientSessions}). Then {@code ReplayedPass.build}
 *       binds every recorded op to its own op context, with the arguments, output shapes and types
 *       SameDiff's session would give it ({@code OpBinding}), outputs taken from a pool that reuses
 *       an array once its last reader has run ({@code ArrayPool}), and runs each op as soon as it
 *       is bound, on the same feed: the pass's result is the plan's, and the session's is dropped.
 *       So every result of a replaying graph comes from a plan, whichever pass of its shape it was
 *       (a run resumed from a checkpoint gives the same bits as an unbroken one), at the cost of
 *       computing each shape's first pass twice.
 *   <li><b>Kernels.</b> While an op is bound, {@code Kernels} may give it a kernel that runs in
 *       place of its native call: {@code GemmKernel} for {@code matmul} and {@code matmul_bp}
 *       (one {@code cblas_sgemm} per matrix, with transpose flags, writing into the bound output;
 *       the same bits as libnd4j's), {@code SigmoidKernel} for {@code sigmoid} and {@code
 *       sigmoid_bp} (Java loops, within float rounding of double precision, not libnd4j's bits).
 *       An op whose arrays or arguments a kernel does not take keeps its native call. {@code
 *       Passes.kernels(false)} turns them off.
 *   <li><b>Later passes: replayed.</b> The new placeholder values are copied into the plan's own
 *       placeholder arrays and the bound native calls run in order. The requested outputs are the
 *       plan's arrays, overwritten by its next pass: {@code Passes} copies the gradients it returns.
 *       Only these passes are shown to an {@link minitransformer.framework.exec.OpObserver}.
 * </ol>
 *
 * With the kernels off the results are the same bits as the session's; with them on, the same
 * within float rounding (ReplayedPassTest, KernelsTest).
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li><b>Parameters may only be updated in place.</b> A plan reads every parameter and constant
 *       through the array that {@code v.getArr()} returned when the plan was built, bound once
 *       ({@code ReplayedPass.input}). Writing into that array ({@code assign}, {@code subi}, an
 *       optimizer's in-place update) is seen by the next replay; giving a variable another array
 *       (new array holders, {@code SameDiff.setArrayHolders}) is not, and the plan silently computes
 *       with the old one. After that, {@link minitransformer.framework.exec.Passes#release} drops the
 *       plans.
 *   <li><b>Building a plan changes the graph's own op objects.</b> The ops a plan binds are the
 *       graph's, the same objects SameDiff's session runs, and {@code OpBinding.bindLegacyOp}
 *       writes into two kinds of them: a legacy reduction whose axes come as a second input gets
 *       them set ({@code setDimensions}, {@code setEmptyReduce(false)}), and a legacy scalar op
 *       whose scalar comes as a second input gets that input array as its scalar ({@code
 *       setScalar}). The session sets both again each time it runs such an op; a plan does not.
 *       The axes depend on ranks only, which every shape of a graph shares, but the native call of
 *       a scalar op reads its scalar from the op object, not from the op context, so such an op
 *       would read the array of whichever plan or session pass last set it. The graphs of this
 *       project have neither kind (their scalar ops carry a constant, their reductions fixed axes).
 * </ul>
 *
 * <h2>When a pass runs in SameDiff's session instead</h2>
 *
 * <table>
 *   <caption>Every fallback to the session</caption>
 *   <tr><th>When</th><th>What runs</th><th>Why</th><th>Where</th></tr>
 *   <tr><td>replay is off ({@code Passes.replay(false)})</td>
 *       <td>every pass in the session, nothing recorded; the plans held are freed</td>
 *       <td>the session as the reference to compare against</td>
 *       <td>{@code Passes.replaying}</td></tr>
 *   <tr><td>a listener other than the engine's is attached to the graph</td>
 *       <td>every pass in the session, nothing recorded</td>
 *       <td>a replayed pass calls no listener, and op counters and profilers must see every op</td>
 *       <td>{@code Passes.replaying}</td></tr>
 *   <tr><td>the gradient function is not built yet</td>
 *       <td>that training pass in the session, which builds it (with System.out muted)</td>
 *       <td>a training plan is made of the gradient function's ops</td>
 *       <td>{@code Passes.lossAndGradients}</td></tr>
 *   <tr><td>a shape's first pass (or its first after eviction)</td>
 *       <td>the session, its op order recorded; then the plan is built and computes the result</td>
 *       <td>the plan replays the order in which the session ran the ops</td>
 *       <td>{@code ReplayedPasses.run}</td></tr>
 *   <tr><td>the session ran no op (an empty order)</td>
 *       <td>every pass of that shape in the session</td>
 *       <td>nothing to replay</td>
 *       <td>{@code ReplayedPasses.recorded}</td></tr>
 *   <tr><td>a refused op: control flow, {@code Assign}, {@code CreateView},
 *       {@code ExternalErrorsFunction}, {@code Invoke}, tensor-array ops; a function that is
 *       neither a custom nor a legacy op; a legacy reduction over an empty axis input</td>
 *       <td>every pass of that shape in the session (the reason kept in
 *       {@code ReplayedPasses.refused})</td>
 *       <td>the session runs these specially; the plan binds only what it parameterizes as the
 *       session does. The plan wrote only its own arrays when it refused, and freed them</td>
 *       <td>{@code OpBinding.checkSupported}, {@code OpBinding.bindLegacyOp},
 *       {@code ReplayedPass.plan}</td></tr>
 *   <tr><td>more than {@code ReplayedPasses.MAX} = 4 shapes of one kind</td>
 *       <td>the least recently used plan is freed (and recorded orders beyond 4 dropped); that
 *       shape starts again at its first pass</td>
 *       <td>each plan holds about one pass's peak memory; a training run sees one or two shapes
 *       (the batch and a smaller last slice), an evaluation one</td>
 *       <td>{@code ReplayedPasses}</td></tr>
 * </table>
 *
 * Any other error while a plan is built or run (a data type that does not match, an output the
 * recorded ops do not compute) is thrown to the caller, not hidden by a fallback.
 *
 * <p>Not thread-safe: one pass at a time per graph, as for the graph itself. Two graphs that share
 * parameter arrays may run side by side while nothing writes the parameters.
 */
package minitransformer.framework.exec;
