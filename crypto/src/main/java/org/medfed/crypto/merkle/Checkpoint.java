package org.medfed.crypto.merkle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A log's state at one moment: which log ({@code origin}), how many entries, their root hash, and
 * when. Sites keep the checkpoints they have been shown and compare them (with consistency proofs)
 * to catch a coordinator that shows different histories to different sites.
 *
 * <p>The canonical encoding, which is what gets signed, is four lines of US-ASCII, each ending in
 * one {@code \n} (0x0A), nothing before or after:
 *
 * <pre>
 * origin                       1–255 printable ASCII characters (0x21–0x7E), no spaces
 * tree size                    decimal, no sign, no leading zeros
 * root hash                    standard base64 (RFC 4648 §4) with padding, of the 32 bytes
 * timestamp                    decimal milliseconds since 1970-01-01T00:00:00Z, no leading zeros
 * </pre>
 *
 * <p>The first three lines are the body of a C2SP {@code tlog-checkpoint}, so generic
 * transparency-log tooling can read them; the timestamp is our one extension line. Each value has
 * exactly one encoding, and {@link #parse} accepts nothing else.
 *
 * <p>The timestamp is kept to whole milliseconds (finer parts are dropped by the constructor), so
 * that a checkpoint always equals what its encoding decodes to.
 */
public record Checkpoint(String origin, long treeSize, byte[] rootHash, Instant timestamp) {
  static final int MAX_ORIGIN_LENGTH = 255;
  private static final int MAX_DECIMAL_DIGITS = 19;
  private static final int LINES = 4;

  /**
   * @throws IllegalArgumentException if the origin is empty, too long or has characters outside
   *     0x21–0x7E, the size is negative, the root is not 32 bytes, or the timestamp is before 1970
   *     or beyond what milliseconds in a {@code long} can hold
   */
  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    if (!validOrigin(origin)) {
      throw new IllegalArgumentException(
          "checkpoint origin \""
              + origin
              + "\" must be 1 to "
              + MAX_ORIGIN_LENGTH
              + " printable ASCII characters without spaces");
    }
    if (treeSize < 0) {
      throw new IllegalArgumentException("tree size must not be negative, was " + treeSize);
    }
    MerkleHashes.requireHash("rootHash", rootHash);
    rootHash = rootHash.clone();
    Objects.requireNonNull(timestamp, "timestamp");
    try {
      if (timestamp.toEpochMilli() < 0) {
        throw new IllegalArgumentException("timestamp " + timestamp + " is before 1970");
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("timestamp " + timestamp + " is out of range", e);
    }
    timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
  }

  /** A copy of the root hash. */
  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** The canonical encoding described in the class documentation. */
  public byte[] encode() {
    String text =
        origin
            + "\n"
            + treeSize
            + "\n"
            + Base64.getEncoder().encodeToString(rootHash)
            + "\n"
            + timestamp.toEpochMilli()
            + "\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Decodes a canonical encoding, accepting nothing but the exact bytes {@link #encode} would
   * produce, so that two different byte strings never stand for the same checkpoint.
   *
   * @throws VerificationException if the bytes are not a canonical checkpoint encoding
   */
  public static Checkpoint parse(byte[] encoded) throws VerificationException {
    Objects.requireNonNull(encoded, "encoded");
    // An auditor parses one checkpoint per signed tree head, thousands per log: a plain scan over
    // the bytes, where regular expressions and splitting cost more to compile than to run.
    int[] lineEnds = new int[LINES];
    int lines = 0;
    for (int i = 0; i < encoded.length; i++) {
      byte b = encoded[i];
      if (b == '\n') {
        if (lines < LINES) {
          lineEnds[lines] = i;
        }
        lines++;
      } else if (b < 0x20 || b > 0x7E) {
        throw new VerificationException("checkpoint must be printable US-ASCII lines");
      }
    }
    if (encoded.length == 0 || encoded[encoded.length - 1] != '\n') {
      throw new VerificationException("checkpoint must end with a newline");
    }
    if (lines != LINES) {
      throw new VerificationException("checkpoint must have " + LINES + " lines, but has " + lines);
    }
    long treeSize = decimal(encoded, lineEnds[0] + 1, lineEnds[1]);
    long millis = decimal(encoded, lineEnds[2] + 1, lineEnds[3]);
    Checkpoint checkpoint;
    try {
      String origin = new String(encoded, 0, lineEnds[0], StandardCharsets.US_ASCII);
      byte[] root =
          Base64.getDecoder().decode(Arrays.copyOfRange(encoded, lineEnds[1] + 1, lineEnds[2]));
      checkpoint = new Checkpoint(origin, treeSize, root, Instant.ofEpochMilli(millis));
    } catch (IllegalArgumentException e) {
      // Bad base64 and out-of-range values are IllegalArgumentExceptions.
      throw new VerificationException("checkpoint is malformed: " + e.getMessage(), e);
    }
    // Base64 has several spellings of one value (non-zero padding bits); only ours is accepted.
    if (!MessageDigest.isEqual(checkpoint.encode(), encoded)) {
      throw new VerificationException("checkpoint is not in canonical encoding");
    }
    return checkpoint;
  }

  /**
   * The decimal number in {@code bytes[from, to)}: digits only, no sign, no leading zero, at most
   * {@link Long#MAX_VALUE}.
   */
  private static long decimal(byte[] bytes, int from, int to) throws VerificationException {
    int length = to - from;
    if (length < 1 || length > MAX_DECIMAL_DIGITS || (bytes[from] == '0' && length > 1)) {
      throw new VerificationException(
          "checkpoint tree size and timestamp must be decimal numbers without leading zeros");
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = bytes[i] - '0';
      if (digit < 0 || digit > 9) {
        throw new VerificationException(
            "checkpoint tree size and timestamp must be decimal numbers without leading zeros");
      }
      if (value > (Long.MAX_VALUE - digit) / 10) {
        throw new VerificationException(
            "checkpoint is malformed: "
                + new String(bytes, from, length, StandardCharsets.US_ASCII)
                + " is beyond the largest tree size or timestamp");
      }
      value = value * 10 + digit;
    }
    return value;
  }

  /** Whether {@code origin} is 1 to 255 characters in 0x21–0x7E. */
  private static boolean validOrigin(String origin) {
    if (origin.isEmpty() || origin.length() > MAX_ORIGIN_LENGTH) {
      return false;
    }
    for (int i = 0; i < origin.length(); i++) {
      char c = origin.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Checkpoint that
        && origin.equals(that.origin)
        && treeSize == that.treeSize
        && Arrays.equals(rootHash, that.rootHash)
        && timestamp.equals(that.timestamp);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, treeSize, Arrays.hashCode(rootHash), timestamp);
  }

  @Override
  public String toString() {
    return "Checkpoint[origin="
        + origin
        + ", treeSize="
        + treeSize
        + ", rootHash="
        + HexFormat.of().formatHex(rootHash)
        + ", timestamp="
        + timestamp
        + "]";
  }
}
