package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class PartyIdentityTest {
  private static final Duration YEAR = Duration.ofDays(365);
  private final CertificateAuthority ca = CertificateAuthority.create("heart-study", YEAR);

  @Test
  void siteCertificateReadsBackAsSiteWithItsId() throws Exception {
    assertEquals(
        new PartyIdentity("charite", PartyRole.SITE),
        PartyIdentity.of(ca.issueSite("charite", YEAR).certificate()));
  }

  @Test
  void coordinatorCertificateReadsBackAsCoordinator() throws Exception {
    X509Certificate certificate =
        ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), YEAR).certificate();
    assertEquals(
        new PartyIdentity("coordinator", PartyRole.COORDINATOR), PartyIdentity.of(certificate));
  }

  @Test
  void rootCertificateHasNoIdentityBecauseItLacksAnOu() {
    PkiException e = assertThrows(PkiException.class, () -> PartyIdentity.of(ca.certificate()));
    assertTrue(e.getMessage().contains("exactly one OU"), e.getMessage());
  }

  @Test
  void certificateWithoutCnIsRejected() throws Exception {
    PkiException e =
        assertThrows(PkiException.class, () -> PartyIdentity.of(selfSigned("OU=site,O=x")));
    assertTrue(e.getMessage().contains("exactly one CN"), e.getMessage());
  }

  @Test
  void certificateWithUnknownOuIsRejectedNamingTheOu() throws Exception {
    PkiException e =
        assertThrows(
            PkiException.class, () -> PartyIdentity.of(selfSigned("CN=charite,OU=auditor")));
    assertTrue(e.getMessage().contains("\"auditor\""), e.getMessage());
  }

  @Test
  void certificateWithTwoCnsIsRejected() throws Exception {
    assertThrows(PkiException.class, () -> PartyIdentity.of(selfSigned("CN=a,CN=b,OU=site")));
  }

  @Test
  void siteCertificateWhoseCnIsNotASiteIdIsRejected() throws Exception {
    PkiException e =
        assertThrows(
            PkiException.class, () -> PartyIdentity.of(selfSigned("CN=Charite Berlin,OU=site")));
    assertTrue(e.getMessage().contains("invalid site id"), e.getMessage());
  }

  @Test
  void constructorRejectsInvalidSiteId() {
    assertThrows(IllegalArgumentException.class, () -> new PartyIdentity("Bad", PartyRole.SITE));
    assertThrows(NullPointerException.class, () -> new PartyIdentity("charite", null));
  }

  /** A certificate with any subject, to probe the parser with names the CA never writes. */
  private static X509Certificate selfSigned(String subject) throws Exception {
    KeyPair keys = KeyPairs.generateP256(new SecureRandom());
    X500Name name = new X500Name(subject);
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.ONE,
            Date.from(now),
            Date.from(now.plus(YEAR)),
            name,
            keys.getPublic());
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }
}
