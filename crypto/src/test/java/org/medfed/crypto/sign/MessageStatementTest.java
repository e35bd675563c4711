package org.medfed.crypto.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class MessageStatementTest {
  @Test
  void encodesTheDocumentedForm() {
    byte[] sha = new byte[32];
    sha[0] = (byte) 0xab;
    byte[] previous = new byte[32];
    previous[31] = (byte) 0xf0;
    assertArrayEquals(
        ("medfed-message-v2\nShareKeys\nab" + "00".repeat(31) + "\n" + "00".repeat(31) + "f0\n")
            .getBytes(StandardCharsets.UTF_8),
        MessageStatement.of("ShareKeys", sha, previous));
  }

  @Property
  void aTemplateFillsTheSameBytesAsOf(
      @ForAll @AlphaChars @StringLength(min = 1, max = 20) String rpc,
      @ForAll @Size(64) byte[] payloads,
      @ForAll @Size(64) byte[] previouses,
      @ForAll boolean secondHalf) {
    MessageStatement.Template template = new MessageStatement.Template(rpc);
    int from = secondHalf ? 32 : 0;
    byte[] payload = java.util.Arrays.copyOfRange(payloads, from, from + 32);
    byte[] previous = java.util.Arrays.copyOfRange(previouses, from, from + 32);
    template.fill(payloads, 32 - from, previouses, 32 - from); // an earlier fill is overwritten

    assertArrayEquals(
        MessageStatement.of(rpc, payload, previous),
        template.fill(payloads, from, previouses, from));
  }

  @Test
  void aFirstMessageNamesThirtyTwoZeroBytes() {
    assertArrayEquals(new byte[32], MessageStatement.noPrevious());
  }

  @Test
  void theLinkIsTheSha256OfTheStatementBytes() throws Exception {
    byte[] statement = MessageStatement.of("Join", new byte[32], MessageStatement.noPrevious());
    assertArrayEquals(
        MessageDigest.getInstance("SHA-256").digest(statement), MessageStatement.link(statement));
    assertArrayEquals(
        HexFormat.of()
            .parseHex(
                // sha256sum of the 153-byte statement, computed independently with coreutils.
                KNOWN_LINK_OF_FIRST_JOIN),
        MessageStatement.link(statement));
  }

  // printf 'medfed-message-v2\nJoin\n%064d\n%064d\n' 0 0 | sha256sum
  private static final String KNOWN_LINK_OF_FIRST_JOIN =
      "ce620ffeb2cfa0f1b7675cccebe719935ae3905ac8a4a492443e2236275472b0";

  @Test
  void refusesADigestOrPreviousOfTheWrongLength() {
    assertThrows(
        IllegalArgumentException.class,
        () -> MessageStatement.of("Join", new byte[31], new byte[32]));
    assertThrows(
        IllegalArgumentException.class,
        () -> MessageStatement.of("Join", new byte[32], new byte[33]));
  }

  @Test
  void refusesAnRpcWithALineBreak() {
    assertThrows(
        IllegalArgumentException.class,
        () -> MessageStatement.of("Join\nab", new byte[32], new byte[32]));
  }

  /** The statement decodes back to its parts: nothing is lost or ambiguous in the encoding. */
  @Property
  void theStatementDecodesToItsParts(
      @ForAll @AlphaChars @StringLength(min = 1, max = 20) String rpc,
      @ForAll @Size(32) byte[] sha,
      @ForAll @Size(32) byte[] previous) {
    String[] lines =
        new String(MessageStatement.of(rpc, sha, previous), StandardCharsets.UTF_8).split("\n", -1);
    assertArrayEquals(
        new String[] {
          "medfed-message-v2",
          rpc,
          HexFormat.of().formatHex(sha),
          HexFormat.of().formatHex(previous),
          ""
        },
        lines);
  }
}
