package org.medfed.coordinator.exchangelog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.medfed.coordinator.store.AtomicFiles;

/**
 * Payloads kept next to the exchange log so an auditor can recompute each secure aggregate: masked
 * inputs, advertised public keys, revealed shares and the round parameters. Each is stored under
 * the SHA-256 that its log entry carries ({@code contributions/<sha256-hex>.bin}), so the log
 * authenticates them. None reveals one site's update: they are exactly what the coordinator already
 * sees.
 */
final class RetainedPayloads {
  static final String DIRECTORY = "contributions";

  private final Path directory;

  RetainedPayloads(Path logDirectory) {
    this.directory = logDirectory.resolve(DIRECTORY);
  }

  /**
   * Stores the payload (once) before the message it belongs to is acknowledged. Synchronised: the
   * same task sent to several sites is one payload, written once.
   */
  synchronized void retain(byte[] sha256, byte[] payload) {
    String name = HexFormat.of().formatHex(sha256) + ".bin";
    try {
      if (!Files.exists(directory.resolve(name))) {
        AtomicFiles.write(directory, name, payload);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot retain payload " + name, e);
    }
  }
}
