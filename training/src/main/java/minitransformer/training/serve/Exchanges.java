package minitransformer.training.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import minitransformer.training.report.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP plumbing of {@link ExplorerServer}'s exchanges: the method check, the size-limited request
 * body, and JSON or byte answers with their headers. Every refusal is an {@link ApiException} with
 * its status.
 */
final class Exchanges {
  /** The largest request body accepted. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** Bodies declared up to this size are read and dropped before their 413 (see {@link #body}). */
  private static final int MAX_DRAIN_BYTES = 1024 * 1024;

  private Exchanges() {}

  /** 405 with an Allow header unless the request's method is the allowed one. */
  static void requireMethod(Request request, Response response, String allowed) {
    if (!allowed.equals(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, allowed);
      throw new ApiException(405, "method " + request.getMethod() + " not allowed here; use " + allowed);
    }
  }

  /**
   * The body, at most MAX_BODY_BYTES (413 beyond), read without holding a thread while the client sends it.
   * A declared length over the limit but within MAX_DRAIN_BYTES is read and dropped before the 413, so that
   * the client, still sending, reads the answer instead of a reset connection; a larger one is refused at once.
   */
  static CompletableFuture<byte[]> body(Request request) {
    long declared = request.getLength();
    if (declared > MAX_DRAIN_BYTES) {
      return CompletableFuture.failedFuture(tooLarge());
    }
    return Content.Source.asByteArrayAsync(request, MAX_DRAIN_BYTES).thenApply(bytes -> {
      if (bytes.length > MAX_BODY_BYTES) {
        throw tooLarge();
      }
      return bytes;
    });
  }

  private static ApiException tooLarge() {
    return new ApiException(413, "body: over the limit of " + MAX_BODY_BYTES + " bytes");
  }

  /** {"error": message} with the status; when the headers are gone already, the exchange just fails. */
  static void error(Response response, Callback callback, int status, String message) {
    if (response.isCommitted()) {
      callback.failed(new IOException(message));
      return;
    }
    try {
      ObjectNode e = Json.MAPPER.createObjectNode().put("error", message);
      send(response, callback, status, "application/json", Json.MAPPER.writeValueAsBytes(e));
    } catch (IOException | RuntimeException x) {
      callback.failed(x);
    }
  }

  /** One server-sent event: its name and its data on one line. */
  static String event(String name, String data) {
    return "event: " + name + "\ndata: " + data + "\n\n";
  }

  /** Writes text as the next part of a streamed answer, blocking until it is sent (an IOException: the client left). */
  static void stream(Response response, String text) throws IOException {
    Content.Sink.write(response, false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The whole answer: status, content type (UTF-8 for text), nosniff, and body; the callback ends the exchange. */
  static void send(Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE,
        type.contains("charset") || type.startsWith("image") ? type : type + "; charset=utf-8");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
