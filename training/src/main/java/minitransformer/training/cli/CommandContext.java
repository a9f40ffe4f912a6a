package minitransformer.training.cli;

import java.lang.reflect.Constructor;
import minitransformer.training.memory.AvailableMemory;
import minitransformer.training.metrics.RunClock;
import picocli.CommandLine;

/**
 * What the program hands the commands that need it, through their constructors: the memory available
 * to a command that builds a model, and when a {@code train} command's time starts.
 *
 * @param memory MemAvailable for the program; a test gives its own figure
 * @param timedFromJvmStart whether train's time starts with the JVM (the program, the time its user
 *     waits) or with the command (a test's run)
 */
record CommandContext(AvailableMemory memory, boolean timedFromJvmStart) {

  /** The clock of a {@code train} command. */
  RunClock runClock() {
    return timedFromJvmStart ? RunClock.sinceJvmStart() : RunClock.startingNow("the train command's start");
  }

  /** picocli's factory: builds each command and mixin, handing the context to those whose constructor takes it. */
  CommandLine.IFactory factory() {
    return new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        for (Constructor<?> c : type.getDeclaredConstructors()) {
          if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == CommandContext.class) {
            return type.cast(c.newInstance(CommandContext.this));
          }
        }
        return CommandLine.defaultFactory().create(type);
      }
    };
  }
}
