package minitransformer.training.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import minitransformer.datasets.StreamingDecoder;
import minitransformer.framework.generate.CachedSampler;
import minitransformer.framework.generate.JavaKvCache;
import minitransformer.framework.generate.KvCache;
import minitransformer.training.report.EndOfText;
import minitransformer.training.report.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * POST /api/sample as server-sent events: {@code prompt} (the decoded prompt), one {@code token} per
 * generated token (its id, its text and the text it adds), then {@code done} with the number of tokens generated,
 * any text the decoder held back ({@code rest}) and the whole text, which is what {@code sample} prints for the
 * same request, and whether the sample {@code stopped} at an end-of-text token (report.EndOfText: GPT-2's
 * {@code <|endoftext|>} ends it, without a {@code token} event, unless the request says {@code "stop": false}). At most
 * {@link #MAX_STREAMS} run at once; another waits up to {@link #WAIT_SECONDS} s for one of them to end (clients
 * that cycle through the endpoints bunch up behind the slowest, so a burst of samples is normal) and is then
 * answered 503; a client that goes away (a write fails, or blocks past the idle timeout
 * because it stopped reading) stops its generation at the next token.
 */
final class SampleStream implements AutoCloseable {
  /** Samples streaming at once; one more is answered 503. */
  static final int MAX_STREAMS = 8;

  /** How long a sample waits for a free stream before its 503. */
  static final int WAIT_SECONDS = 30;

  private static final ObjectMapper ONE_LINE = new ObjectMapper();

  private final Semaphore streams = new Semaphore(MAX_STREAMS);
  private final AtomicInteger generating = new AtomicInteger();
  private final AtomicLong stoppedEarly = new AtomicLong();
  private volatile boolean closing;

  int generating() {
    return generating.get();
  }

  long stoppedEarly() {
    return stoppedEarly.get();
  }

  /** Streams the sample of pool's model on the calling (worker) thread; done ends the exchange. */
  void stream(Response response, Callback done, Api.SampleRequest request, ModelPool pool) {
    if (!acquire()) {
      throw new ApiException(503, "tokens: " + MAX_STREAMS + " samples have been streaming for " + WAIT_SECONDS
          + " s; try again");
    }
    generating.incrementAndGet();
    try {
      KvCache cache = pool.with(m -> new JavaKvCache(m.gpt())); // copies the weights: generation needs no graph
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      StreamingDecoder decoder = pool.model().tokenizer().streamingDecoder(); // as sample prints its text
      StringBuilder text = new StringBuilder();
      int[] index = {0};
      for (int id : request.ids()) {
        text.append(decoder.push(id));
      }
      try {
        event(response, "prompt", Json.MAPPER.createObjectNode().put("text", text.toString()));
        int[] generated = new CachedSampler(pool.model().gpt(), cache, request.refill()).generate(request.ids(),
            request.tokens(), request.options(), request.stop(), id -> {
              if (closing) {
                throw new UncheckedIOException(new IOException("server closing"));
              }
              if (request.stop().isPresent() && id == request.stop().getAsInt()) {
                return; // the end of the text, not a part of it (report.EndOfText); done says so
              }
              String piece = decoder.push(id);
              text.append(piece);
              event(response, "token", Json.MAPPER.createObjectNode().put("index", index[0]++).put("id", id)
                  .put("token", pool.model().tokenizer().token(id)).put("text", piece));
            });
        String rest = decoder.finish();
        text.append(rest);
        boolean stopped = EndOfText.stopped(generated, request.stop());
        ObjectNode summary = Json.MAPPER.createObjectNode().put("tokens", generated.length).put("rest", rest)
            .put("text", text.toString()).put("stopped", stopped);
        if (stopped) {
          summary.put("stop_token", pool.model().tokenizer().token(request.stop().getAsInt()));
        }
        event(response, "done", summary);
      } catch (UncheckedIOException gone) {
        stoppedEarly.incrementAndGet();
        done.failed(gone.getCause());
        return;
      }
      response.write(true, ByteBuffer.allocate(0), done);
    } finally {
      generating.decrementAndGet();
      streams.release();
    }
  }

  private boolean acquire() {
    try {
      return streams.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server is shutting down");
    }
  }

  /** Ends running streams at their next token. */
  @Override
  public void close() {
    closing = true;
  }

  private static void event(Response response, String name, ObjectNode data) {
    try {
      Exchanges.stream(response, Exchanges.event(name, ONE_LINE.writeValueAsString(data)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
