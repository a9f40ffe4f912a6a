package minitransformer.training.serve;

/** A request the server refuses: the HTTP status and a message that names the field or the problem. */
final class ApiException extends RuntimeException {
  private final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** 400: a field is missing, has the wrong type or is out of range. */
  static ApiException badField(String field, String problem) {
    return new ApiException(400, field + ": " + problem);
  }

  int status() {
    return status;
  }
}
