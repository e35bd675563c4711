package org.medfed.crypto.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CheckpointTest {
  private static final byte[] ROOT = Rfc6962Vectors.ROOTS.get(7);
  private static final Instant TIME = Instant.parse("2026-11-22T02:30:00.123Z");
  private static final Checkpoint CHECKPOINT =
      new Checkpoint("medfed.example/heart-study", 8, ROOT, TIME);

  @Test
  void encodingIsFourNewlineTerminatedAsciiLines() {
    String expected =
        "medfed.example/heart-study\n"
            + "8\n"
            + "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
            + "1795314600123\n";
    assertEquals(expected, new String(CHECKPOINT.encode(), StandardCharsets.US_ASCII));
  }

  @Test
  void parseReturnsTheEncodedCheckpoint() throws Exception {
    assertEquals(CHECKPOINT, Checkpoint.parse(CHECKPOINT.encode()));
  }

  @Test
  void timestampIsKeptToWholeMilliseconds() throws Exception {
    Checkpoint fine = new Checkpoint("log", 1, ROOT, TIME.plusNanos(456_789));
    assertEquals(TIME, fine.timestamp());
    assertEquals(fine, Checkpoint.parse(fine.encode()));
  }

  @Test
  void rootHashCannotBeChangedThroughTheRecord() {
    byte[] root = ROOT.clone();
    Checkpoint checkpoint = new Checkpoint("log", 8, root, TIME);
    root[0] ^= 1;
    checkpoint.rootHash()[0] ^= 1;
    assertArrayEquals(ROOT, checkpoint.rootHash());
  }

  @Test
  void equalCheckpointsCompareEqualByContent() {
    Checkpoint same = new Checkpoint("medfed.example/heart-study", 8, ROOT.clone(), TIME);
    assertEquals(CHECKPOINT, same);
    assertEquals(CHECKPOINT.hashCode(), same.hashCode());
    assertNotEquals(CHECKPOINT, new Checkpoint("medfed.example/heart-study", 7, ROOT, TIME));
  }

  @Test
  void invalidValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("", 1, ROOT, TIME));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("a log", 1, ROOT, TIME));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("a\nb", 1, ROOT, TIME));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("é", 1, ROOT, TIME));
    assertThrows(
        IllegalArgumentException.class, () -> new Checkpoint("x".repeat(256), 1, ROOT, TIME));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("log", -1, ROOT, TIME));
    assertThrows(
        IllegalArgumentException.class, () -> new Checkpoint("log", 1, new byte[31], TIME));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Checkpoint("log", 1, ROOT, Instant.ofEpochMilli(-1)));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint("log", 1, ROOT, Instant.MAX));
  }

  @Test
  void nonCanonicalEncodingsAreRejected() {
    String root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
    String[] variants = {
      "log\n8\n" + root + "\n1795314600123", // no final newline
      "log\n8\n" + root + "\n1795314600123\n\n", // extra line
      "log\n08\n" + root + "\n1795314600123\n", // leading zero
      "log\n+8\n" + root + "\n1795314600123\n", // sign
      "log\n-8\n" + root + "\n1795314600123\n", // negative
      "log\n8\n" + root + "\n01795314600123\n", // leading zero
      "log\n8\n" + root.replace("=", "") + "\n1795314600123\n", // no padding
      "log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n1795314600123\n", // padding bits
      "log\n8\n" + root + "\n1795314600123\r\n", // CRLF
      "log\n8\n" + root + "\n99999999999999999999\n", // overflow
      "log\n8\nAAAA\n1795314600123\n", // short root
      "log \n8\n" + root + "\n1795314600123\n", // space in origin
      "\n8\n" + root + "\n1795314600123\n", // empty origin
      "log\n8\n" + root + "\n", // missing timestamp
      "log\n\n" + root + "\n1795314600123\n", // empty size
      "log\n8a\n" + root + "\n1795314600123\n", // letter in size
      "log\n8\n" + root + "\n1795314600:23\n", // non-digit in timestamp
      "log\n8\n" + root.replace('X', '!') + "\n1795314600123\n", // not base64
      "", // nothing
    };
    for (String variant : variants) {
      assertThrows(
          VerificationException.class,
          () -> Checkpoint.parse(variant.getBytes(StandardCharsets.ISO_8859_1)),
          variant);
    }
  }

  @Test
  void largestTreeSizeParsesAndOneMoreIsRefused() throws Exception {
    String root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
    Checkpoint largest =
        Checkpoint.parse(
            ("log\n9223372036854775807\n" + root + "\n1795314600123\n")
                .getBytes(StandardCharsets.US_ASCII));
    assertEquals(Long.MAX_VALUE, largest.treeSize());
    assertThrows(
        VerificationException.class,
        () ->
            Checkpoint.parse(
                ("log\n9223372036854775808\n" + root + "\n1795314600123\n")
                    .getBytes(StandardCharsets.US_ASCII)));
    assertThrows(
        VerificationException.class,
        () ->
            Checkpoint.parse(
                ("log\n8\n" + root + "\n9223372036854775808\n")
                    .getBytes(StandardCharsets.US_ASCII)));
  }

  @Property(tries = 300)
  void encodingRoundTrips(
      @ForAll @LongRange(min = 0) long treeSize,
      @ForAll @Size(value = 32) byte[] root,
      @ForAll @LongRange(min = 0, max = 253_402_300_799_999L) long millis,
      @ForAll @IntRange(min = 1, max = 255) int originLength)
      throws Exception {
    String origin = "o".repeat(originLength);
    Checkpoint checkpoint = new Checkpoint(origin, treeSize, root, Instant.ofEpochMilli(millis));
    assertEquals(checkpoint, Checkpoint.parse(checkpoint.encode()));
  }

  @Property(tries = 500)
  void anyFlippedBitInTheEncodingFailsToParseOrParsesToAnotherCheckpoint(@ForAll int bitSeed) {
    byte[] encoded = CHECKPOINT.encode();
    int bit = Math.floorMod(bitSeed, encoded.length * 8);
    encoded[bit / 8] ^= (byte) (1 << (bit % 8));
    try {
      assertFalse(CHECKPOINT.equals(Checkpoint.parse(encoded)));
    } catch (VerificationException expected) {
      // Rejected outright: the other acceptable outcome.
    }
  }
}
