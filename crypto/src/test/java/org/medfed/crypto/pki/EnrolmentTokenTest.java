package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EnrolmentTokenTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private final SecureRandom random = new SecureRandom();

  private EnrolmentToken token(String site) {
    return EnrolmentToken.generate(site, NOW.plus(Duration.ofHours(24)), random);
  }

  @Test
  void textNamesSiteAndExpiryAndCarries256RandomBits() throws Exception {
    EnrolmentToken token = token("charite");
    String[] parts = token.reveal().split("\\.");
    assertEquals("mfe1", parts[0]);
    assertEquals("charite", parts[1]);
    assertEquals(String.valueOf(NOW.plus(Duration.ofHours(24)).getEpochSecond()), parts[2]);
    assertEquals(32, Base64.getUrlDecoder().decode(parts[3]).length);
  }

  @Test
  void twoTokensForTheSameSiteDiffer() {
    assertFalse(token("charite").reveal().equals(token("charite").reveal()));
  }

  @Test
  void parsedTokenHasSiteAndExpiryOfTheIssuedOne() throws Exception {
    EnrolmentToken issued = token("charite");
    EnrolmentToken parsed = EnrolmentToken.parse("  " + issued.reveal() + "\n");
    assertEquals("charite", parsed.siteId());
    assertEquals(issued.expiresAt(), parsed.expiresAt());
    assertTrue(issued.digest().matches(parsed));
  }

  @Test
  void toStringHidesTheSecret() {
    EnrolmentToken token = token("charite");
    String secret = token.reveal().substring(token.reveal().lastIndexOf('.') + 1);
    assertFalse(token.toString().contains(secret));
    assertFalse(token.digest().toString().contains(secret));
  }

  @Test
  void digestLineRoundTrips() throws Exception {
    EnrolmentToken.Digest digest = token("charite").digest();
    assertEquals(digest, EnrolmentToken.Digest.parse(digest.encode()));
  }

  @Test
  void digestDoesNotContainTheToken() {
    EnrolmentToken token = token("charite");
    String secret = token.reveal().substring(token.reveal().lastIndexOf('.') + 1);
    assertFalse(token.digest().encode().contains(secret));
  }

  @Test
  void validTokenVerifiesBeforeItsExpiry() throws Exception {
    EnrolmentToken token = token("charite");
    token.digest().verify(EnrolmentToken.parse(token.reveal()), NOW);
  }

  @Test
  void expiredTokenIsRefused() {
    EnrolmentToken token = token("charite");
    PkiException e =
        assertThrows(
            PkiException.class, () -> token.digest().verify(token, NOW.plus(Duration.ofHours(25))));
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
  }

  @Test
  void tokenForAnotherSiteIsRefused() {
    EnrolmentToken forCharite = token("charite");
    EnrolmentToken forBasel = token("basel");
    PkiException e =
        assertThrows(PkiException.class, () -> forBasel.digest().verify(forCharite, NOW));
    assertEquals(
        "the enrolment token was issued for site \"charite\", not for site \"basel\"",
        e.getMessage());
  }

  @Test
  void tokenWhoseSiteWasRewrittenIsNotTheIssuedOne() throws Exception {
    EnrolmentToken forCharite = token("charite");
    EnrolmentToken forBasel = token("basel");
    EnrolmentToken rewritten =
        EnrolmentToken.parse(forCharite.reveal().replace(".charite.", ".basel."));
    PkiException e =
        assertThrows(PkiException.class, () -> forBasel.digest().verify(rewritten, NOW));
    assertTrue(e.getMessage().contains("is not the one issued for site \"basel\""));
  }

  @Test
  void tokenWithExtendedExpiryIsNotTheIssuedOne() throws Exception {
    EnrolmentToken token = token("charite");
    String later = String.valueOf(NOW.plus(Duration.ofDays(365)).getEpochSecond());
    String[] parts = token.reveal().split("\\.");
    EnrolmentToken extended =
        EnrolmentToken.parse(parts[0] + "." + parts[1] + "." + later + "." + parts[3]);
    assertThrows(
        PkiException.class, () -> token.digest().verify(extended, NOW.plus(Duration.ofDays(30))));
  }

  @Test
  void malformedTextIsRefusedWithTheExpectedForm() {
    for (String text :
        new String[] {
          "",
          "mfe1",
          "mfe1.charite.123",
          "mfe2.charite.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
          "mfe1.Charite.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
          "mfe1.charite.1.AAAA",
          "mfe1.charite.x.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        }) {
      PkiException e = assertThrows(PkiException.class, () -> EnrolmentToken.parse(text), text);
      assertTrue(e.getMessage().startsWith("the enrolment token is malformed"), e.getMessage());
    }
  }

  @Test
  void secretWithNonZeroPaddingBitsIsRefused() {
    // 43 characters ending in 'B' carry two extra bits: not a canonical 32-byte secret.
    String text = "mfe1.charite.1." + "A".repeat(42) + "B";
    assertThrows(PkiException.class, () -> EnrolmentToken.parse(text));
  }

  @Test
  void invalidSiteIdCannotGetAToken() {
    assertThrows(
        IllegalArgumentException.class,
        () -> EnrolmentToken.generate("Not A Site", NOW.plusSeconds(60), random));
  }
}
