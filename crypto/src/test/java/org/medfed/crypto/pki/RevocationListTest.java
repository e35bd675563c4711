package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevocationListTest {
  private static final Duration MONTH = Duration.ofDays(30);
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private final CertificateAuthority ca = CertificateAuthority.create("heart-study", MONTH);

  private RevocationList list(List<Revocation> revocations, long number) {
    return ca.revocationList(revocations, number, NOW, NOW.plus(MONTH));
  }

  @Test
  void revocationsRoundTripThroughPem() throws Exception {
    X509Certificate site = ca.issueSite("charite", MONTH).certificate();
    Revocation revocation =
        new Revocation(site.getSerialNumber(), "charite", "key compromised", NOW);
    RevocationList parsed =
        RevocationList.parse(list(List.of(revocation), 7).pem(), ca.certificate());
    assertEquals(List.of(revocation), parsed.revocations());
    assertEquals(7, parsed.number());
    assertEquals(NOW, parsed.thisUpdate());
    assertEquals(Optional.of(NOW.plus(MONTH)), parsed.nextUpdate());
    assertEquals(Optional.of(revocation), parsed.find(site));
  }

  @Test
  void certificateNotOnTheListIsNotRevoked() throws Exception {
    X509Certificate revoked = ca.issueSite("charite", MONTH).certificate();
    X509Certificate other = ca.issueSite("charite", MONTH).certificate();
    RevocationList list =
        list(List.of(new Revocation(revoked.getSerialNumber(), "charite", "lost", NOW)), 1);
    assertEquals(Optional.empty(), list.find(other));
  }

  @Test
  void emptyListIsValid() throws Exception {
    RevocationList parsed = RevocationList.parse(list(List.of(), 0).pem(), ca.certificate());
    assertTrue(parsed.revocations().isEmpty());
  }

  @Test
  void listSignedByAnotherCaIsRefused() {
    CertificateAuthority rogue = CertificateAuthority.create("heart-study", MONTH);
    String pem = rogue.revocationList(List.of(), 1, NOW, NOW.plus(MONTH)).pem();
    PkiException e =
        assertThrows(PkiException.class, () -> RevocationList.parse(pem, ca.certificate()));
    assertEquals(
        "the revocation list's signature does not verify with the consortium CA's key",
        e.getMessage());
  }

  @Test
  void listFromADifferentlyNamedCaIsRefused() {
    CertificateAuthority other = CertificateAuthority.create("other", MONTH);
    String pem = other.revocationList(List.of(), 1, NOW, NOW.plus(MONTH)).pem();
    PkiException e =
        assertThrows(PkiException.class, () -> RevocationList.parse(pem, ca.certificate()));
    assertTrue(e.getMessage().contains("not by the consortium CA"), e.getMessage());
  }

  @Test
  void sameSerialTwiceIsAProgrammerError() {
    Revocation once = new Revocation(BigInteger.TEN, "charite", "lost", NOW);
    assertThrows(IllegalArgumentException.class, () -> list(List.of(once, once), 1));
  }

  @Test
  void reasonMustBeOneNonBlankLine() {
    assertThrows(
        IllegalArgumentException.class, () -> new Revocation(BigInteger.TEN, "charite", " ", NOW));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Revocation(BigInteger.TEN, "charite", "a\nb", NOW));
  }

  @Test
  void certificateKitFromAnotherCaIsNotFoundOnThisList() throws Exception {
    CertificateAuthority other = CertificateAuthority.create("other", MONTH);
    X509Certificate foreign = other.issueSite("charite", MONTH).certificate();
    RevocationList list =
        list(List.of(new Revocation(foreign.getSerialNumber(), "charite", "lost", NOW)), 1);
    // Same serial, different issuer: not this list's business.
    assertEquals(Optional.empty(), list.find(foreign));
  }
}
