package minitransformer.datasets.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minitransformer.datasets.SplitMix64;

/**
 * Writes the project's default corpus, {@code datasets/corpus/context.txt}: one lower-case sentence
 * per line in which an ambiguous word ("apple", "bank", "mole", "bat") is preceded by words that
 * fix its sense and followed by words that only fit that sense.
 *
 * <p>Every line is {@code FRAME} filled from the tables below. The frames and the neutral verbs
 * between the context and the ambiguous word are the SAME for every sense of a word, so the words
 * right before "the apple" never tell the sense; only the context clause earlier in the line does
 * (3 to about 12 tokens back). The senses of a word are equally frequent, so a model that ignores
 * the context can do no better than guess, while one that attends to it predicts the right
 * continuation (see {@code datasets/corpus/README.md} for the prompts this is designed for).
 *
 * <p>Deterministic: a fixed seed and a {@link SplitMix64}, no JDK random source, no hash order.
 * Run {@code java -cp datasets/target/classes minitransformer.datasets.corpus.ContextCorpusGenerator
 * datasets/corpus/context.txt} to regenerate it; a test checks the committed file is byte-identical.
 */
public final class ContextCorpusGenerator {
  public static final long SEED = 20240601L;
  public static final int LINES = 3000;

  private ContextCorpusGenerator() {}

  /** A word with its senses; each sense fills the same frames with its own contexts and tails. */
  private record Word(String word, List<String> frames, List<Sense> senses) {}

  /** {@code slots} maps a slot name to its choices (which may hold further slots). */
  private record Sense(String name, Map<String, List<String>> slots) {}

  private record Person(String name, String pron, String poss) {}

  private static final List<Person> PEOPLE = List.of(
      new Person("anna", "she", "her"), new Person("ben", "he", "his"), new Person("clara", "she", "her"),
      new Person("david", "he", "his"), new Person("emma", "she", "her"), new Person("felix", "he", "his"),
      new Person("grace", "she", "her"), new Person("henry", "he", "his"), new Person("iris", "she", "her"),
      new Person("jack", "he", "his"), new Person("lucy", "she", "her"), new Person("mark", "he", "his"),
      new Person("nina", "she", "her"), new Person("oscar", "he", "his"), new Person("rosa", "she", "her"),
      new Person("sam", "he", "his"), new Person("tom", "he", "his"), new Person("vera", "she", "her"));

  /** Slots shared by every word and sense: they carry no information about the sense. */
  private static final Map<String, List<String>> SHARED = Map.of(
      "then", List.of("and then", "and later", "and after that", "and soon", "so"),
      "pause", List.of("it was a quiet morning", "the radio was playing", "it was almost noon",
          "everyone was busy", "the sun was shining", "it started to rain"));

  // ---- apple: the fruit, the company ----
  private static final Word APPLE = new Word("apple",
      List.of(
          "{ctx}, {then} {pron} {verb} the apple {obj}.",
          "{ctx}. the apple {subj}.",
          "{ctx}, so {name2} {verb} the apple {obj}.",
          "{ctx}. {pause}, and the apple {subj}."),
      List.of(
          new Sense("fruit", Map.of(
              "ctx", List.of("{name} peeled {afruit}", "{name} sliced {afruit} for breakfast",
                  "{name} picked {fruits} in the orchard", "{name} put {fruits} and {fruits} in a bowl",
                  "{name} bought {fruits} at the market", "{name} made a salad of {fruits} and {fruits}",
                  "{name} squeezed {afruit} for juice"),
              "afruit", List.of("an orange", "a banana", "a pear", "a peach", "a plum", "a mango",
                  "a lemon", "a melon"),
              "fruits", List.of("oranges", "bananas", "pears", "peaches", "plums", "grapes", "cherries",
                  "strawberries"),
              "verb", List.of("wanted", "found", "chose", "liked", "asked for", "talked about"),
              "obj", List.of("pie {fruitend}", "tart {fruitend}", "juice {fruitend}", "slices {fruitend}",
                  "crumble {fruitend}", "cake {fruitend}"),
              "fruitend", List.of("with cream", "for dessert", "with honey", "from the bakery",
                  "with cinnamon"),
              "subj", List.of("was ripe and sweet", "tasted sweet and crisp", "fell from the tree",
                  "had a brown core", "was full of juice", "rolled off the table")
          )),
          new Sense("company", Map.of(
              "ctx", List.of("{name} charged {poss} {device}", "{name} checked {poss} email on the {device}",
                  "the battery of {poss} old {device} died", "{name} installed an app on {poss} {device}",
                  "{name} typed {poss} password into the {device}", "the screen of {poss} {device} cracked",
                  "{name} updated the software on {poss} {device}"),
              "device", List.of("phone", "laptop", "tablet", "computer"),
              "verb", List.of("wanted", "found", "chose", "liked", "asked for", "talked about"),
              "obj", List.of("phone {techend}", "laptop {techend}", "watch {techend}", "tablet {techend}",
                  "charger {techend}", "headphones {techend}"),
              "techend", List.of("with more memory", "for work", "with a bigger screen", "from the store",
                  "with a fast chip"),
              "subj", List.of("phone needed a new battery", "laptop ran the new software",
                  "store opened at nine", "watch counted every step", "tablet had a bright screen",
                  "update fixed the wifi")
          ))));

  // ---- bank: of a river, of money ----
  private static final Word BANK = new Word("bank",
      List.of(
          "{ctx}, {then} {pron} {verb} the bank {obj}.",
          "{ctx}. the bank {subj}.",
          "{ctx}, so {name2} {verb} the bank {obj}.",
          "{ctx}. {pause}, and the bank {subj}."),
      List.of(
          new Sense("river", Map.of(
              "ctx", List.of("{name} fished in the {water}", "{name} paddled a canoe down the {water}",
                  "the ducks swam in the {water}", "{name} sat by the {water} with a fishing rod",
                  "the {water} rose after the heavy rain", "frogs croaked in the reeds by the {water}",
                  "{name} skipped stones across the {water}"),
              "water", List.of("river", "stream", "creek"),
              "verb", List.of("walked to", "went to", "stopped at", "waited at", "came back to"),
              "obj", List.of("of the {water}", "near the reeds", "under the willows", "where the ducks nest",
                  "beside the water"),
              "subj", List.of("was muddy and steep", "flooded after the storm", "was covered in tall reeds",
                  "crumbled into the water", "was full of frogs", "sloped down to the water")
          )),
          new Sense("money", Map.of(
              "ctx", List.of("{name} needed money for a new car", "{name} got {poss} salary on friday",
                  "{name} wanted to save money for a trip", "{name} counted the cash in {poss} wallet",
                  "{name} had to pay the rent", "{name} forgot the pin of {poss} card",
                  "{name} wrote a cheque for the rent"),
              "verb", List.of("walked to", "went to", "stopped at", "waited at", "came back to"),
              "obj", List.of("to open an account", "to ask for a loan", "to deposit the cash",
                  "to see the manager", "to get a new card"),
              "subj", List.of("approved the loan", "charged a small fee", "closed at five",
                  "sent a new card", "paid some interest", "lent {poss} family money")
          ))));

  // ---- mole: the animal, the chemistry unit, the spot on the skin ----
  private static final Word MOLE = new Word("mole",
      List.of(
          "{ctx}, {then} {pron} {verb} the mole {obj}.",
          "{ctx}. the mole {subj}.",
          "{ctx}, so {name2} {verb} the mole {obj}.",
          "{ctx}. {pause}, and the mole {subj}."),
      List.of(
          new Sense("animal", Map.of(
              "ctx", List.of("{name} found small piles of dirt on the {garden}",
                  "the gardener saw fresh holes in the {garden}", "the dog sniffed at the soil in the {garden}",
                  "worms wriggled in the wet soil of the {garden}", "{name} planted tulips in the {garden}",
                  "{name} dug up carrots in the {garden}"),
              "garden", List.of("garden", "lawn", "field", "meadow"),
              "verb", List.of("looked at", "talked about", "asked about", "wrote about", "thought about"),
              "obj", List.of("in the {garden}", "under the hedge", "near its burrow", "in its tunnel"),
              "subj", List.of("dug a tunnel under the {garden}", "ate the worms", "hid in its burrow",
                  "popped out of the soil", "had soft grey fur")
          )),
          new Sense("chemistry", Map.of(
              "ctx", List.of("in chemistry class {name} weighed some salt",
                  "the chemistry teacher wrote a formula on the board", "{name} counted the atoms in a molecule",
                  "{name} balanced the equation in the lab", "the students heated a test tube in the lab",
                  "{name} measured grams of powder on the scale"),
              "verb", List.of("looked at", "talked about", "asked about", "wrote about", "thought about"),
              "obj", List.of("of {substance}", "of {substance} in the flask"),
              "substance", List.of("carbon", "water", "salt", "oxygen", "helium", "iron"),
              "subj", List.of("of carbon weighed twelve grams", "of water weighed eighteen grams",
                  "of helium weighed four grams", "of iron weighed fifty six grams",
                  "of oxygen gas weighed thirty two grams", "is a unit of amount")
          )),
          new Sense("skin", Map.of(
              "ctx", List.of("the doctor checked the skin on {poss} {body}",
                  "{name} noticed a dark spot on {poss} {body}",
                  "the dermatologist looked at {poss} {body} with a lamp",
                  "{name} went to the doctor about {poss} skin",
                  "the nurse measured a freckle on {poss} {body}",
                  "{name} put sunscreen on {poss} {body}"),
              "body", List.of("arm", "neck", "cheek", "back", "shoulder", "leg"),
              "verb", List.of("looked at", "talked about", "asked about", "wrote about", "thought about"),
              "obj", List.of("on {poss} {body}"),
              "subj", List.of("looked darker than before", "grew a little bigger", "itched all week",
                  "was removed by the doctor", "needed a closer look")
          ))));

  // ---- bat: the animal, the baseball bat ----
  private static final Word BAT = new Word("bat",
      List.of(
          "{ctx}, {then} {pron} {verb} the bat {obj}.",
          "{ctx}. the bat {subj}.",
          "{ctx}, so {name2} {verb} the bat {obj}.",
          "{ctx}. {pause}, and the bat {subj}."),
      List.of(
          new Sense("animal", Map.of(
              "ctx", List.of("at dusk {name} walked past an old cave", "insects buzzed around the lamp at night",
                  "{name} heard a squeak in the attic", "owls hooted in the dark forest",
                  "{name} explored a cave with a torch", "moths flew around the barn at night"),
              "verb", List.of("saw", "watched", "looked at", "noticed", "pointed at"),
              "obj", List.of("hanging upside down", "flying over the trees", "catching moths",
                  "hanging from the roof"),
              "subj", List.of("flew out of the cave", "hung upside down", "flapped its wings",
                  "caught a moth", "squeaked in the dark")
          )),
          new Sense("baseball", Map.of(
              "ctx", List.of("{name} played baseball with {poss} team", "the pitcher threw a fast ball",
                  "{name} stepped up to the plate in the last inning", "the crowd cheered at the baseball game",
                  "the coach gave {name} a helmet and a glove", "{name} practiced batting at the park"),
              "verb", List.of("saw", "watched", "looked at", "noticed", "pointed at"),
              "obj", List.of("made of wood", "leaning on the fence", "with tape on the handle",
                  "lying in the dugout"),
              "subj", List.of("hit the ball over the fence", "cracked in two", "was made of maple",
                  "sent the ball flying", "swung through the air")
          ))));

  private static final List<Word> WORDS = List.of(APPLE, BANK, MOLE, BAT);
  private static final Pattern SLOT = Pattern.compile("\\{(\\w+)}");

  /** Slots drawn once per line, so "the creek" and "the bank of the creek" agree. */
  private static final List<String> ONCE_PER_LINE = List.of("water", "garden", "body", "device", "substance");

  /** The first names the corpus uses (for tests that abstract over the person). */
  static List<String> names() {
    return PEOPLE.stream().map(Person::name).toList();
  }

  /** The whole corpus: {@link #LINES} lines, each ending in a newline. */
  public static String generate() {
    SplitMix64 random = new SplitMix64(SEED);
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < LINES; line++) {
      Word word = pick(random, WORDS);
      Sense sense = pick(random, word.senses());
      Person person = pick(random, PEOPLE);
      Person other = person;
      while (other == person) {
        other = pick(random, PEOPLE);
      }
      Map<String, String> bound = new HashMap<>(Map.of("name", person.name(), "pron", person.pron(),
          "poss", person.poss(), "name2", other.name()));
      text.append(expand(pick(random, word.frames()), sense, bound, random)).append('\n');
    }
    return text.toString();
  }

  private static String expand(String template, Sense sense, Map<String, String> bound, SplitMix64 random) {
    Matcher m = SLOT.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String slot = m.group(1);
      String value;
      if (bound.containsKey(slot)) {
        value = bound.get(slot);
      } else {
        List<String> choices = sense.slots().containsKey(slot) ? sense.slots().get(slot) : SHARED.get(slot);
        if (choices == null) {
          throw new IllegalStateException("no slot {" + slot + "} in sense " + sense.name());
        }
        value = expand(pick(random, choices), sense, bound, random);
        if (ONCE_PER_LINE.contains(slot)) {
          bound.put(slot, value);
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static <E> E pick(SplitMix64 random, List<E> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** Writes the corpus to the given file (default {@code datasets/corpus/context.txt}). */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "datasets/corpus/context.txt");
    Files.writeString(out, generate(), StandardCharsets.UTF_8);
    System.out.println("wrote " + out);
  }
}
