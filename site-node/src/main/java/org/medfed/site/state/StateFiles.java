package org.medfed.site.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files in the site's state directory that must survive a crash whole: the privacy ledger and the
 * message chain head. After {@link #replace} returns, the file holds the new content, or, after a
 * crash during it, the old content, never a mixture.
 */
public final class StateFiles {
  private StateFiles() {}

  /**
   * Replaces {@code file} with {@code content} through a synced temporary file beside it, an atomic
   * rename and a sync of the directory.
   *
   * @throws IOException if it cannot be written, or the file system cannot rename atomically
   */
  public static void replace(Path file, byte[] content) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    try {
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system under " + file + " cannot rename atomically", e);
    }
    syncDirectory(file.toAbsolutePath().getParent());
  }

  /** Makes the rename durable; not every platform can open a directory, and then it is skipped. */
  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows cannot open directories; its rename is durable once it returns.
    }
  }
}
