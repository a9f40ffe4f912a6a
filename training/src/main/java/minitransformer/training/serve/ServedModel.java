package minitransformer.training.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minitransformer.training.TrainedModel;
import minitransformer.training.concurrent.DaemonThreads;
import minitransformer.training.report.Json;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The model the explorer serves and what answers for it: its graphs ({@link ModelPool}), its {@link Api}
 * and its model card. While the server follows a run that trains ({@link #follow}), each checkpoint the run
 * saves replaces them whole; requests in flight finish on the model they started with, which is closed
 * {@link #RETIRE_SECONDS} s later, and the pages listening on /api/events are told ({@link EventHub}).
 */
final class ServedModel implements AutoCloseable {
  /** How long a replaced model stays loaded for the requests that started on it. */
  static final int RETIRE_SECONDS = 60;

  private static final ObjectMapper JSON = Json.MAPPER;

  /** One model and what answers for it; the card is kept when it cannot change (not following). */
  record Served(ModelPool pool, Api api, byte[] card) {}

  private final int graphs;
  private final EventHub events = new EventHub();
  private final ScheduledExecutorService retire =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("serve-retire"));
  private volatile RunFollower follower;
  private volatile Served current;

  ServedModel(TrainedModel model, int graphs) {
    this.graphs = graphs;
    this.current = serve(model, false);
  }

  /** What answers now; a request reads it once and keeps it to the end. */
  Served current() {
    return current;
  }

  /** The model card as the page shows it now: read again while following, since the run's metrics grow. */
  byte[] card() {
    Served s = current;
    return follower == null ? s.card() : card(s.pool().model(), true);
  }

  /**
   * Follows run, the run directory of the served checkpoint, while it trains: its metrics.jsonl lines are
   * pushed on /api/events, and each checkpoint it saves replaces the served model.
   */
  void follow(Path run) {
    follower = new RunFollower(run, current.pool().model().directory(),
        line -> events.publish("metrics", "{\"index\": " + line.index() + ", \"line\": " + line.json() + "}"),
        this::replaceWith);
  }

  /** GET /api/events: 404 unless following. */
  void listen(Response response, Callback done) {
    if (follower == null) {
      throw new ApiException(404, "not following a run: serve --checkpoint RUN (a run directory) follows one");
    }
    events.listen(response, done);
  }

  private void replaceWith(Path checkpoint) {
    TrainedModel next = TrainedModel.load(checkpoint, warning -> {});
    Served old = current;
    current = serve(next, true);
    events.publish("model", "{\"step\": " + next.step() + "}");
    retire.schedule(() -> old.pool().close(), RETIRE_SECONDS, TimeUnit.SECONDS);
  }

  private Served serve(TrainedModel model, boolean following) {
    ModelPool pool = new ModelPool(model, graphs);
    return new Served(pool, new Api(pool), following ? null : card(model, false));
  }

  private static byte[] card(TrainedModel model, boolean following) {
    try {
      return JSON.writeValueAsBytes(ModelCard.of(model, following));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops following and the event streams, and closes the served model's graphs. */
  @Override
  public void close() {
    events.close();
    if (follower != null) {
      follower.close();
    }
    retire.shutdownNow();
    current.pool().close();
  }
}
