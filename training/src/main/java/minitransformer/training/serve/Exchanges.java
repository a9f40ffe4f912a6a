package minitransformer.training.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import minitransformer.training.report.Json;

/**
 * The HTTP plumbing of {@link ExplorerServer}'s exchanges: the method check, the size-limited request
 * body, and JSON or byte answers with their headers. Every refusal is an {@link ApiException} with
 * its status.
 */
final class Exchanges {
  /** The largest request body accepted. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** Bodies declared up to this size are read and dropped before their 413 (see {@link #body}). */
  private static final long MAX_DRAIN_BYTES = 1024 * 1024;

  private Exchanges() {}

  /** 405 with an Allow header unless method is the allowed one. */
  static void requireMethod(HttpExchange exchange, String allowed, String method) {
    if (!allowed.equals(method)) {
      exchange.getResponseHeaders().set("Allow", allowed);
      throw new ApiException(405, "method " + method + " not allowed here; use " + allowed);
    }
  }

  /**
   * The body, at most MAX_BODY_BYTES (413 beyond). A declared length over the limit but within
   * MAX_DRAIN_BYTES is read and dropped before the 413, so that the client, still sending, reads the
   * answer instead of a reset connection (the JDK server drains only 64 KiB itself and then closes);
   * a larger one is refused at once.
   */
  static byte[] body(HttpExchange exchange) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw new ApiException(400, "Content-Length: not a number");
      }
      if (declared > MAX_BODY_BYTES) {
        if (declared <= MAX_DRAIN_BYTES) {
          try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream()); // ends at Content-Length
          }
        }
        throw new ApiException(413, "body: over the limit of " + MAX_BODY_BYTES + " bytes");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new ApiException(413, "body: over the limit of " + MAX_BODY_BYTES + " bytes");
      }
      return bytes;
    }
  }

  /** {"error": message} with the status; nothing when the headers are gone already or the client is. */
  static void error(HttpExchange exchange, int status, String message) {
    try {
      ObjectNode e = Json.MAPPER.createObjectNode().put("error", message);
      send(exchange, status, "application/json", Json.MAPPER.writeValueAsBytes(e));
    } catch (IOException | RuntimeException ignored) {
      // headers already sent (a stream failed midway) or the client went away
    }
  }

  /** The whole answer: status, content type (UTF-8 for text), nosniff, and body. */
  static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type.contains("charset") || type.startsWith("image")
        ? type : type + "; charset=utf-8");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}
