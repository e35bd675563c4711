package org.medfed.crypto.sign;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * What a site signs for each message it sends, and what an auditor verifies against the exchange
 * log:
 *
 * <pre>
 * "medfed-message-v2\n" ‖ rpc ‖ "\n" ‖ hex(payload SHA-256) ‖ "\n" ‖ hex(previous) ‖ "\n"
 * </pre>
 *
 * <p>The payload digest is the one the log entry carries: of the request bytes for a unary call, of
 * the reassembled vector for a chunked upload. {@code previous} is the {@link #link} of the last
 * statement of the same site that the coordinator acknowledged having logged, or {@link
 * #noPrevious()} for a site's first message (or its first after it lost its state). The statements
 * of one site thus form a hash chain: one signature on a message commits, by the collision
 * resistance of SHA-256, to every statement before it, so an auditor needs to verify only the
 * signatures that no later signed statement vouches for. Hex is lowercase.
 */
public final class MessageStatement {
  /** Length of a payload digest and of a link. */
  public static final int HASH_BYTES = 32;

  private static final byte[] DOMAIN = "medfed-message-v2\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private MessageStatement() {}

  /**
   * The statement a site signs.
   *
   * @param rpc the method's bare name, e.g. {@code PushUpdate}
   * @param payloadSha256 32 bytes
   * @param previous 32 bytes: the link of the site's previous logged statement, or zeros
   * @throws IllegalArgumentException if a digest is not 32 bytes or rpc holds a line break (it
   *     would make two different statements encode alike)
   */
  public static byte[] of(String rpc, byte[] payloadSha256, byte[] previous) {
    Objects.requireNonNull(rpc, "rpc");
    requireHash(payloadSha256, "payload SHA-256");
    requireHash(previous, "previous");
    if (rpc.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("rpc must not contain a line break");
    }
    byte[] name = rpc.getBytes(StandardCharsets.UTF_8);
    byte[] statement = new byte[DOMAIN.length + name.length + 1 + 4 * HASH_BYTES + 2];
    System.arraycopy(DOMAIN, 0, statement, 0, DOMAIN.length);
    int at = DOMAIN.length;
    System.arraycopy(name, 0, statement, at, name.length);
    at += name.length;
    statement[at++] = '\n';
    at = hex(payloadSha256, statement, at);
    statement[at++] = '\n';
    at = hex(previous, statement, at);
    statement[at] = '\n';
    return statement;
  }

  /**
   * The statements of one RPC, for a verifier that hashes millions of them: each {@link #fill}
   * writes the two digests into one reused buffer instead of building a statement anew. Not
   * thread-safe: one per thread.
   */
  public static final class Template {
    private final byte[] statement;
    private final int payloadAt;
    private final int previousAt;

    /**
     * @throws IllegalArgumentException if rpc holds a line break
     */
    public Template(String rpc) {
      statement = of(rpc, new byte[HASH_BYTES], new byte[HASH_BYTES]);
      previousAt = statement.length - 1 - 2 * HASH_BYTES;
      payloadAt = previousAt - 1 - 2 * HASH_BYTES;
    }

    /**
     * The statement for the 32-byte payload digest at {@code payloadSha256[payloadFrom]} and the
     * 32-byte previous link at {@code previous[previousFrom]}: the same bytes as {@link
     * MessageStatement#of}, in a buffer the next call overwrites.
     */
    public byte[] fill(byte[] payloadSha256, int payloadFrom, byte[] previous, int previousFrom) {
      hex(payloadSha256, payloadFrom, statement, payloadAt);
      hex(previous, previousFrom, statement, previousAt);
      return statement;
    }
  }

  /** The link a later statement names as its {@code previous}: SHA-256 of the statement bytes. */
  public static byte[] link(byte[] statement) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(statement);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  /** The {@code previous} of a statement that follows no logged statement: 32 zero bytes. */
  public static byte[] noPrevious() {
    return new byte[HASH_BYTES];
  }

  private static void requireHash(byte[] hash, String what) {
    Objects.requireNonNull(hash, what);
    if (hash.length != HASH_BYTES) {
      throw new IllegalArgumentException(what + " must be 32 bytes, got " + hash.length);
    }
  }

  private static int hex(byte[] bytes, byte[] into, int at) {
    return hex(bytes, 0, into, at);
  }

  private static int hex(byte[] bytes, int from, byte[] into, int at) {
    for (int i = from; i < from + HASH_BYTES; i++) {
      into[at++] = HEX[(bytes[i] >> 4) & 0xf];
      into[at++] = HEX[bytes[i] & 0xf];
    }
    return at;
  }
}
