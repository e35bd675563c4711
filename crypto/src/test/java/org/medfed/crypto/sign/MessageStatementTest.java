package org.medfed.crypto.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageStatementTest {
  @Test
  void encodesTheDocumentedForm() {
    byte[] sha = new byte[32];
    sha[0] = (byte) 0xab;
    assertArrayEquals(
        ("medfed-message-v1\nShareKeys\nab" + "00".repeat(31) + "\n")
            .getBytes(StandardCharsets.UTF_8),
        MessageStatement.of("ShareKeys", sha));
  }

  @Test
  void differentMethodsOrDigestsGiveDifferentStatements() {
    byte[] sha = new byte[32];
    byte[] other = sha.clone();
    other[31] = 1;
    assertFalse(
        Arrays.equals(MessageStatement.of("PushUpdate", sha), MessageStatement.of("Join", sha)));
    assertFalse(
        Arrays.equals(
            MessageStatement.of("PushUpdate", sha), MessageStatement.of("PushUpdate", other)));
  }

  @Test
  void refusesADigestOfTheWrongLength() {
    assertThrows(IllegalArgumentException.class, () -> MessageStatement.of("Join", new byte[31]));
  }
}
