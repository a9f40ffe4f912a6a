package minitransformer.datasets;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file operation failed, in words a user can act on: Java's file exceptions often carry only the
 * path ({@code AccessDeniedException: config.yaml.tmp}) or a decoder's detail ({@code Input length = 1}),
 * which hide the reason.
 */
public final class IoReason {
  private IoReason() {}

  /** "permission denied: FILE", "not UTF-8 text", "no such file or directory: FILE", ... */
  public static String of(Throwable e) {
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (e instanceof FileSystemException fs) {
      String file = fs.getFile() == null ? "" : ": " + fs.getFile();
      if (e instanceof AccessDeniedException) {
        return "permission denied" + file;
      }
      if (e instanceof NoSuchFileException) {
        return "no such file or directory" + file;
      }
      if (e instanceof NotDirectoryException) {
        return "not a directory" + file;
      }
      if (e instanceof FileAlreadyExistsException) {
        return "already exists" + file;
      }
      if (e instanceof DirectoryNotEmptyException) {
        return "directory not empty" + file;
      }
      if (fs.getReason() != null) {
        return fs.getReason().strip() + file;
      }
    }
    String message = e.getMessage();
    if (e instanceof IOException && message != null && !message.isBlank()) {
      return message;
    }
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
