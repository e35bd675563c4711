package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateCheckTest {
  private static final Duration MONTH = Duration.ofDays(30);
  private final CertificateAuthority ca = CertificateAuthority.create("heart-study", MONTH);
  private final X509Certificate site = ca.issueSite("charite", MONTH).certificate();

  @Test
  void siteCertificateFromTheCaNamesTheSite() throws Exception {
    assertEquals(
        new PartyIdentity("charite", PartyRole.SITE),
        CertificateCheck.verify(site, ca.certificate(), Instant.now()));
  }

  @Test
  void certificateFromASameNamedRogueCaIsRefused() {
    CertificateAuthority rogue = CertificateAuthority.create("heart-study", MONTH);
    X509Certificate forged = rogue.issueSite("charite", MONTH).certificate();
    PkiException e =
        assertThrows(
            PkiException.class,
            () -> CertificateCheck.verify(forged, ca.certificate(), Instant.now()));
    assertTrue(e.getMessage().contains("is not signed by the consortium CA"), e.getMessage());
    assertTrue(e.getMessage().contains(forged.getSerialNumber().toString(16)));
  }

  @Test
  void certificateFromAnotherCaIsRefusedNamingItsIssuer() {
    CertificateAuthority other = CertificateAuthority.create("other", MONTH);
    X509Certificate foreign = other.issueSite("charite", MONTH).certificate();
    PkiException e =
        assertThrows(
            PkiException.class,
            () -> CertificateCheck.verify(foreign, ca.certificate(), Instant.now()));
    assertTrue(e.getMessage().contains("its issuer is \"CN=other Root CA"), e.getMessage());
  }

  @Test
  void expiredCertificateIsRefused() {
    PkiException e =
        assertThrows(
            PkiException.class,
            () ->
                CertificateCheck.verify(
                    site, ca.certificate(), Instant.now().plus(Duration.ofDays(31))));
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
  }

  @Test
  void notYetValidCertificateIsRefused() {
    PkiException e =
        assertThrows(
            PkiException.class,
            () ->
                CertificateCheck.verify(
                    site, ca.certificate(), Instant.now().minus(Duration.ofDays(1))));
    assertTrue(e.getMessage().contains("is not valid before"), e.getMessage());
  }

  @Test
  void coordinatorCertificateNamesTheCoordinator() throws Exception {
    X509Certificate coordinator =
        ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), MONTH).certificate();
    assertEquals(
        PartyRole.COORDINATOR,
        CertificateCheck.verify(coordinator, ca.certificate(), Instant.now()).role());
  }
}
