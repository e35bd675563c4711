package org.medfed.crypto.merkle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

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
  private static final Pattern ORIGIN =
      Pattern.compile("[\\x21-\\x7E]{1," + MAX_ORIGIN_LENGTH + "}");
  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,18}");
  private static final int LINES = 4;

  /**
   * @throws IllegalArgumentException if the origin is empty, too long or has characters outside
   *     0x21–0x7E, the size is negative, the root is not 32 bytes, or the timestamp is before 1970
   *     or beyond what milliseconds in a {@code long} can hold
   */
  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    if (!ORIGIN.matcher(origin).matches()) {
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
    for (byte b : encoded) {
      if (b != '\n' && (b < 0x20 || b > 0x7E)) {
        throw new VerificationException("checkpoint must be printable US-ASCII lines");
      }
    }
    String text = new String(encoded, StandardCharsets.US_ASCII);
    if (!text.endsWith("\n")) {
      throw new VerificationException("checkpoint must end with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length != LINES) {
      throw new VerificationException(
          "checkpoint must have " + LINES + " lines, but has " + lines.length);
    }
    if (!DECIMAL.matcher(lines[1]).matches() || !DECIMAL.matcher(lines[3]).matches()) {
      throw new VerificationException(
          "checkpoint tree size and timestamp must be decimal numbers without leading zeros");
    }
    Checkpoint checkpoint;
    try {
      long treeSize = Long.parseLong(lines[1]);
      byte[] root = Base64.getDecoder().decode(lines[2]);
      Instant timestamp = Instant.ofEpochMilli(Long.parseLong(lines[3]));
      checkpoint = new Checkpoint(lines[0], treeSize, root, timestamp);
    } catch (IllegalArgumentException e) {
      // NumberFormatException (a 19-digit overflow) and bad base64 are IllegalArgumentExceptions.
      throw new VerificationException("checkpoint is malformed: " + e.getMessage(), e);
    }
    // Base64 has several spellings of one value (non-zero padding bits); only ours is accepted.
    if (!MessageDigest.isEqual(checkpoint.encode(), encoded)) {
      throw new VerificationException("checkpoint is not in canonical encoding");
    }
    return checkpoint;
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
