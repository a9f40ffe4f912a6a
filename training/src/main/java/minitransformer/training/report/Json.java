package minitransformer.training.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one JSON printer of the documents the commands print ({@code --json}) and the server answers: indented. */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
}
