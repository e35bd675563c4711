package org.medfed.site.federation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.site.config.ConfigException;
import org.medfed.site.state.StateFiles;

/**
 * The head of this site's chain of signed statements: the link (SHA-256) of the last statement the
 * coordinator told this site it logged, which the next message names as its {@code previous}. Kept
 * in {@code state-dir/receipts/chain-head} (one line of hex), replaced atomically, so that after a
 * restart the site continues its chain instead of starting a new one; an auditor then verifies one
 * signature for the whole chain instead of one per message.
 *
 * <p>Losing the file is safe: the next message names 32 zero bytes and starts a new chain, whose
 * first signature an auditor verifies directly. So is a crash between a logged call and the write:
 * the next message names an older statement (a fork, allowed). Thread-safe.
 */
public final class MessageChain {
  static final String FILE = "chain-head";

  private final Path file;
  private byte[] head;

  private MessageChain(Path file, byte[] head) {
    this.file = file;
    this.head = head;
  }

  /**
   * Opens the chain kept in {@code stateDir/receipts}, or starts one.
   *
   * @throws ConfigException if the folder cannot be created or the file is unreadable or damaged
   */
  public static MessageChain in(Path stateDir) throws ConfigException {
    Path folder = stateDir.resolve("receipts");
    Path file = folder.resolve(FILE);
    try {
      Files.createDirectories(folder);
      if (!Files.exists(file)) {
        return new MessageChain(file, MessageStatement.noPrevious());
      }
      String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      byte[] head = HexFormat.of().parseHex(text);
      if (head.length != MessageStatement.HASH_BYTES) {
        throw new IllegalArgumentException("it holds " + head.length + " bytes, not 32");
      }
      return new MessageChain(file, head);
    } catch (IOException e) {
      throw new ConfigException("the message chain head " + file + " cannot be read: " + e, e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "the message chain head "
              + file
              + " is damaged ("
              + e.getMessage()
              + "); delete it to start a new chain (an auditor then verifies this site's next"
              + " message by its own signature)",
          e);
    }
  }

  /** What the next message names as its previous statement. */
  synchronized byte[] head() {
    return head.clone();
  }

  /**
   * Makes {@code link} the head, on disk before it returns.
   *
   * @throws IOException if the file cannot be written; the head is still advanced in memory, and
   *     after a restart the site forks from the head on disk, which is allowed
   */
  synchronized void advance(byte[] link) throws IOException {
    if (link.length != MessageStatement.HASH_BYTES) {
      throw new IllegalArgumentException("a link is 32 bytes, got " + link.length);
    }
    head = link.clone();
    StateFiles.replace(
        file, (HexFormat.of().formatHex(link) + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "MessageChain[" + file + "]";
  }
}
