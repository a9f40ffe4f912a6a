package minitransformer.training.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import minitransformer.datasets.Gpt2Tokenizer;
import minitransformer.training.Python;

/**
 * Hugging Face GPT-2 and Llama folders for the command tests: the NumPy reference
 * (src/test/python/hf_gpt2_reference.py) writes config.json and model.safetensors of a tiny GPT-2 (300 tokens,
 * 32 positions, 2 layers of 2 heads, width 16), and a 300-token GPT-2 tokenizer (GPT-2's 256 bytes, 43 merges,
 * {@code <|endoftext|>}) is written beside them as vocab.json and merges.txt; hf_llama_reference.py writes a
 * tiny Llama, with the same tokens beside it as SmolLM2's kind of tokenizer.json.
 */
public final class HfModels {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HfModels() {}

  /** A hub-layout folder (variant "hub": no prefix, attention buffers, F32) with its tokenizer. */
  public static Gpt2Tokenizer hub(Path dir) throws IOException, InterruptedException {
    Python.requireNumpy();
    Files.createDirectories(dir);
    python("make", dir.toString(), "hub");
    Gpt2Tokenizer tokenizer = tokenizer();
    tokenizer.save(dir);
    return tokenizer;
  }

  /** The reference's logits ([B][T][V]) for {@code ids}, computed from the folder's own files. */
  public static double[][][] referenceLogits(Path dir, int[][] ids) throws IOException, InterruptedException {
    Files.writeString(dir.resolve("ids.json"), JSON.writeValueAsString(ids));
    python("forward", dir.toString());
    return JSON.readValue(dir.resolve("reference_logits.json").toFile(), double[][][].class);
  }

  /** 256 bytes in GPT-2's order, 43 merges and <|endoftext|>: 300 tokens, the reference model's vocabulary. */
  public static Gpt2Tokenizer tokenizer() {
    String[] a = alphabet();
    List<Integer> order = new ArrayList<>();
    for (int b = 0; b < 256; b++) if (a[b].codePointAt(0) == b) order.add(b);
    for (int b = 0; b < 256; b++) if (a[b].codePointAt(0) != b) order.add(b);
    StringBuilder vocab = new StringBuilder("{");
    int id = 0;
    for (int b : order) vocab.append(id == 0 ? "" : ",").append(quote(a[b])).append(':').append(id++);
    List<String> merges = new ArrayList<>();
    for (char c = 'a'; c <= 'z'; c++) merges.add("Ġ " + c);
    merges.addAll(List.of("t h", "h e", "i n", "e r", "a n", "o n", "r e", "e d", "o u", "i s", "e n", "a t", "o r",
        "e s", "a l", "l l", "Ġt he"));
    for (String m : merges) vocab.append(',').append(quote(m.replace(" ", ""))).append(':').append(id++);
    vocab.append(',').append(quote(Gpt2Tokenizer.END_OF_TEXT)).append(':').append(id++).append('}');
    assertEquals(300, id);
    return Gpt2Tokenizer.fromVocabAndMerges(vocab.toString(), "#version: 0.2\n" + String.join("\n", merges) + "\n");
  }

  /** GPT-2's bytes_to_unicode: printable bytes as themselves, the others from U+0100 on. */
  static String[] alphabet() {
    String[] out = new String[256];
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      out[b] = new String(Character.toChars(printable ? b : 256 + next++));
    }
    return out;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static Path script(String name) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      for (Path candidate : List.of(p.resolve("src/test/python/" + name),
          p.resolve("training/src/test/python/" + name))) {
        if (Files.isRegularFile(candidate)) return candidate;
      }
    }
    throw new IllegalStateException(name + " not found above " + Path.of("").toAbsolutePath());
  }

  /** Runs hf_gpt2_reference.py with these arguments. */
  public static void python(String... args) throws IOException, InterruptedException {
    run(GPT2_SCRIPT, args);
  }

  // ---- Llama

  private static final String GPT2_SCRIPT = "hf_gpt2_reference.py";
  private static final String LLAMA_SCRIPT = "hf_llama_reference.py";

  /**
   * A Llama folder written by hf_llama_reference.py (variant "tied": SmolLM2's layout; "untied":
   * TinyLlama's, with lm_head.weight), with {@link #llamaTokenizer} beside it as tokenizer.json.
   */
  public static Gpt2Tokenizer llama(Path dir, String variant) throws IOException, InterruptedException {
    Python.requireNumpy();
    Files.createDirectories(dir);
    llamaPython("make", dir.toString(), variant);
    return llamaTokenizer(dir);
  }

  /** Runs hf_llama_reference.py with these arguments. */
  public static void llamaPython(String... args) throws IOException, InterruptedException {
    run(LLAMA_SCRIPT, args);
  }

  /** The reference Llama's logits ([B][T][V]) for {@code ids}, computed from the folder's own files. */
  public static double[][][] llamaReferenceLogits(Path dir, int[][] ids) throws IOException, InterruptedException {
    Files.writeString(dir.resolve("ids.json"), JSON.writeValueAsString(ids));
    llamaPython("forward", dir.toString());
    return JSON.readValue(dir.resolve("reference_logits.json").toFile(), double[][][].class);
  }

  /**
   * {@link #tokenizer}'s 300 tokens as SmolLM2's tokenizer.json has them: the pre-tokenizer a Sequence of
   * Digits (individual_digits) and ByteLevel, written into {@code dir} and read back from it.
   */
  public static Gpt2Tokenizer llamaTokenizer(Path dir) throws IOException {
    tokenizer().saveTokenizerJson(dir);
    Path file = dir.resolve(Gpt2Tokenizer.TOKENIZER_JSON);
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(file.toFile());
    com.fasterxml.jackson.databind.node.ObjectNode sequence = JSON.createObjectNode().put("type", "Sequence");
    sequence.putArray("pretokenizers").add(JSON.createObjectNode().put("type", "Digits").put("individual_digits", true))
        .add(root.get("pre_tokenizer"));
    root.set("pre_tokenizer", sequence);
    Files.writeString(file, JSON.writeValueAsString(root));
    Gpt2Tokenizer t = Gpt2Tokenizer.load(dir);
    assertTrue(t.splitsDigits());
    return t;
  }

  private static void run(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Python.withNumpy(), script(script).toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the reference did not finish in 120 s");
    assertEquals(0, p.exitValue(), "the reference failed:\n" + out);
  }
}
