package minitransformer.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages name the reason a file could not be used, not only its path or a decoder's detail. */
class IoReasonTest {
  @TempDir Path dir;

  @Test
  void aRefusedWriteSaysPermissionDenied() {
    assertEquals("permission denied: runs/a/config.yaml.tmp",
        IoReason.of(new AccessDeniedException("runs/a/config.yaml.tmp")));
    assertEquals("No space left on device: f", IoReason.of(new FileSystemException("f", null, "No space left on device")));
    assertEquals("not UTF-8 text", IoReason.of(new MalformedInputException(1)));
  }

  @Test
  void aMergesFileOfBinaryJunkIsNotUtf8Text() throws Exception {
    Path junk = dir.resolve("data.merges");
    Files.write(junk, new byte[] {(byte) 0xFF, (byte) 0xFE, 0x00, (byte) 0x9C, (byte) 0xC3, 0x28});
    DataException e = assertThrows(DataException.class, () -> MergesFile.load(junk, 0));
    assertTrue(e.getMessage().contains("not UTF-8 text"), e.getMessage());
    assertTrue(!e.getMessage().contains("Input length"), e.getMessage());
  }
}
