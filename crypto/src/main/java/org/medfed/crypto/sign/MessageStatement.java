package org.medfed.crypto.sign;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a site signs for each message it sends, and what an auditor verifies against the exchange
 * log: {@code "medfed-message-v1\n" ‖ rpc ‖ "\n" ‖ hex(payload SHA-256) ‖ "\n"}. The payload digest
 * is the one the log entry carries: of the request bytes for a unary call, of the reassembled
 * vector for a chunked upload (whose header names its study and round).
 */
public final class MessageStatement {
  private static final String DOMAIN = "medfed-message-v1\n";

  private MessageStatement() {}

  /**
   * @param rpc the method's bare name, e.g. {@code PushUpdate}
   * @param payloadSha256 32 bytes
   */
  public static byte[] of(String rpc, byte[] payloadSha256) {
    Objects.requireNonNull(rpc, "rpc");
    if (payloadSha256.length != 32) {
      throw new IllegalArgumentException(
          "payload SHA-256 must be 32 bytes, got " + payloadSha256.length);
    }
    return (DOMAIN + rpc + "\n" + HexFormat.of().formatHex(payloadSha256) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
