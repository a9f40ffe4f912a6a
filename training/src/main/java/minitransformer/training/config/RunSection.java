package minitransformer.training.config;

import static minitransformer.training.config.Schema.NAME;
import static minitransformer.training.config.Schema.OUT_DIR;
import static minitransformer.training.config.Schema.PREDICTIONS;
import static minitransformer.training.config.Schema.PROMPT;
import static minitransformer.training.config.Schema.PROMPTS;
import static minitransformer.training.config.Schema.SAMPLE_TOKENS;
import static minitransformer.training.config.Schema.TEMPERATURE;
import static minitransformer.training.config.Schema.TOP_K;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code run} section: where outputs go, and what is shown after training.
 *
 * @param name the run directory's name under outDir
 * @param prompt the text the after-training sample continues
 * @param prompts texts whose top next-token predictions are printed (empty: just {@code prompt})
 * @param sampleTokens how many tokens the sample has
 * @param temperature sampling temperature (0 = always the most likely token)
 * @param topK sampling keeps the k most likely tokens (0 = all)
 * @param predictions how many next-token predictions are printed per prompt
 */
public record RunSection(
    String name,
    Path outDir,
    String prompt,
    List<String> prompts,
    int sampleTokens,
    double temperature,
    int topK,
    int predictions) {

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  public RunSection {
    Check.notNull(NAME, name);
    if (!SAFE_NAME.matcher(name).matches()) {
      throw new InvalidValueException(
          NAME, name, "must be letters, digits, '.', '_' or '-' (it names a directory)");
    }
    Check.notNull(OUT_DIR, outDir);
    Check.notNull(PROMPT, prompt);
    prompts = List.copyOf(prompts);
    Check.atLeast(SAMPLE_TOKENS, sampleTokens, 0);
    Check.nonNegative(TEMPERATURE, temperature);
    Check.atLeast(TOP_K, topK, 0);
    Check.atLeast(PREDICTIONS, predictions, 1);
  }

  static RunSection from(Values v) {
    return new RunSection(
        v.string(NAME),
        v.path(OUT_DIR),
        v.string(PROMPT),
        v.stringList(PROMPTS),
        v.integer(SAMPLE_TOKENS),
        v.real(TEMPERATURE),
        v.integer(TOP_K),
        v.integer(PREDICTIONS));
  }

  /** This section with another run name (checked as any name is). */
  public RunSection named(String newName) {
    return new RunSection(newName, outDir, prompt, prompts, sampleTokens, temperature, topK, predictions);
  }

  /** The run's own directory: outDir/name. */
  public Path runDirectory() {
    return outDir.resolve(name);
  }

  /** The prompts whose predictions are shown: {@code prompts}, or the sample prompt alone. */
  public List<String> predictionPrompts() {
    return prompts.isEmpty() ? List.of(prompt) : prompts;
  }

  Map<Key, Object> values() {
    Map<Key, Object> m = new LinkedHashMap<>();
    m.put(NAME, name);
    m.put(OUT_DIR, outDir);
    m.put(PROMPT, prompt);
    m.put(PROMPTS, prompts);
    m.put(SAMPLE_TOKENS, sampleTokens);
    m.put(TEMPERATURE, temperature);
    m.put(TOP_K, topK);
    m.put(PREDICTIONS, predictions);
    return m;
  }
}
