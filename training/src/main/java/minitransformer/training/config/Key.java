package minitransformer.training.config;

import java.util.List;

/**
 * One config key: its section, its name (nanoGPT's where nanoGPT has one), the type its value must
 * have, and its default ({@code null}: required, or derived from other keys as documented in
 * {@link Schema}).
 */
public record Key(String section, String name, Type type, Object defaultValue, List<String> choices) {

  /** The types a value may have. Paths are strings in the file, resolved against its directory. */
  public enum Type {
    INT("an integer"),
    LONG("an integer"),
    DOUBLE("a number"),
    BOOLEAN("true or false"),
    STRING("a string"),
    PATH("a path"),
    STRING_LIST("a list of strings");

    final String description;

    Type(String description) {
      this.description = description;
    }
  }

  public Key {
    choices = List.copyOf(choices);
  }

  /** "section.name", as written after {@code --set} and in every message. */
  public String path() {
    return section + "." + name;
  }

  /** The override that sets this key to value, as {@code --set} takes it: "run.name=VALUE". */
  public String setTo(Object value) {
    return path() + "=" + value;
  }

  /** Whether an override (KEY=VALUE) sets this key. */
  public boolean isSetBy(String override) {
    return override.startsWith(path() + "=");
  }

  @Override
  public String toString() {
    return path();
  }
}
