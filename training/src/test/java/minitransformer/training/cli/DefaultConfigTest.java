package minitransformer.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitransformer.training.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, item 6: {@code java -jar /path/to/minitransformer.jar train} from another directory. */
class DefaultConfigTest {
  @TempDir Path tmp;

  private Path repositoryWithJar() throws IOException {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("configs"));
    Files.writeString(repo.resolve("configs/default.yaml"), "model: {}\n");
    Path jar = repo.resolve("training/target/minitransformer.jar");
    Files.createDirectories(jar.getParent());
    Files.writeString(jar, "not really a jar");
    return jar;
  }

  @Test
  void theWorkingDirectoryComesFirst() throws IOException {
    Path jar = repositoryWithJar();
    Path cwd = Files.createDirectories(tmp.resolve("elsewhere/configs"));
    Files.writeString(cwd.resolve("default.yaml"), "model: {}\n");
    assertEquals(DefaultConfig.RELATIVE, DefaultConfig.locate(cwd.getParent(), jar));
  }

  @Test
  void fromAnotherDirectoryTheJarsRepositoryIsUsed() throws IOException {
    Path jar = repositoryWithJar();
    Path cwd = Files.createDirectories(tmp.resolve("elsewhere"));
    assertEquals(tmp.resolve("repo/configs/default.yaml"), DefaultConfig.locate(cwd, jar));
  }

  @Test
  void otherwiseTheErrorSaysWhatToDo() throws IOException {
    Path cwd = Files.createDirectories(tmp.resolve("elsewhere"));
    Path strayJar = Files.createDirectories(tmp.resolve("a/b/c/d/e")).resolve("minitransformer.jar");
    ConfigException e = assertThrows(ConfigException.class, () -> DefaultConfig.locate(cwd, strayJar));
    assertTrue(e.getMessage().startsWith(DefaultConfig.RELATIVE + ": no such config file in " + cwd), e.getMessage());
    assertTrue(e.getMessage().endsWith("; run from the repository root or pass --config FILE"), e.getMessage());
  }
}
