package org.medfed.auditor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The payloads the coordinator retains next to its log ({@code contributions/<sha256>.bin}), read
 * only under the digest a log entry carries and only if their content has that digest: a retained
 * file can add nothing the log does not already commit to.
 */
final class RetainedPayloads {
  private final Path directory;

  /**
   * @param directory the {@code contributions} folder, or null when there is none
   */
  RetainedPayloads(Path directory) {
    this.directory = directory;
  }

  static RetainedPayloads none() {
    return new RetainedPayloads(null);
  }

  boolean available() {
    return directory != null && Files.isDirectory(directory);
  }

  /**
   * The payload with this digest, or empty if it was not retained.
   *
   * @throws IOException if the file exists but cannot be read
   * @throws TamperedPayload if the file's content does not have the digest it is named by
   */
  Optional<byte[]> get(byte[] sha256) throws IOException, TamperedPayload {
    if (directory == null || sha256.length != 32) {
      return Optional.empty();
    }
    String name = HexFormat.of().formatHex(sha256) + ".bin";
    byte[] content;
    try {
      content = Files.readAllBytes(directory.resolve(name));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(sha256(content), sha256)) {
      throw new TamperedPayload(
          "retained payload " + name + " does not have the digest it is named by");
    }
    return Optional.of(content);
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  /** A retained file whose content does not match its name. */
  static final class TamperedPayload extends Exception {
    private static final long serialVersionUID = 1L;

    TamperedPayload(String message) {
      super(message);
    }
  }
}
