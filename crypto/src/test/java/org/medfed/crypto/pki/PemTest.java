package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PemTest {
  private static final Duration YEAR = Duration.ofDays(365);
  private final CertificateAuthority ca = CertificateAuthority.create("heart-study", YEAR);
  private final IssuedCredential site = ca.issueSite("charite", YEAR);

  @Test
  void certificateRoundTripsThroughPem() throws Exception {
    String pem = Pem.encode(site.certificate());
    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
    assertTrue(pem.endsWith("-----END CERTIFICATE-----\n"), pem);
    assertTrue(pem.lines().allMatch(line -> line.length() <= 64), "RFC 7468 line length");
    assertEquals(site.certificate(), Pem.parseCertificate(pem));
  }

  @Test
  void privateKeyRoundTripsThroughPemAndStillSigns() throws Exception {
    String pem = site.privateKeyPem();
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pem);
    PrivateKey parsed = Pem.parsePrivateKey(pem);
    assertEquals(site.privateKey(), parsed);
    byte[] message = "round 3 masked update".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(parsed);
    signer.update(message);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(site.certificate());
    verifier.update(message);
    assertTrue(verifier.verify(signature));
  }

  @Test
  void bundleParsesInOrderIgnoringTextBetweenBlocks() throws Exception {
    String bundle =
        "subject=CN=charite\n" + site.certificatePem() + "\n# the root\n" + ca.certificatePem();
    assertEquals(List.of(site.certificate(), ca.certificate()), Pem.parseCertificates(bundle));
  }

  @Test
  void parseCertificateRejectsBundleOfTwo() {
    PkiException e =
        assertThrows(
            PkiException.class,
            () -> Pem.parseCertificate(site.certificatePem() + ca.certificatePem()));
    assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
  }

  @Test
  void keyWhereCertificateExpectedIsReportedByType() {
    PkiException e =
        assertThrows(PkiException.class, () -> Pem.parseCertificate(site.privateKeyPem()));
    assertTrue(e.getMessage().contains("found a PRIVATE KEY block"), e.getMessage());
  }

  @Test
  void textWithoutPemBlocksIsRejected() {
    PkiException e = assertThrows(PkiException.class, () -> Pem.parseCertificates("hello"));
    assertTrue(e.getMessage().contains("expected PEM text with a CERTIFICATE block"));
    assertThrows(PkiException.class, () -> Pem.parsePrivateKey(""));
    assertThrows(PkiException.class, () -> Pem.parsePrivateKey(null));
  }

  @Test
  void truncatedBlockIsRejected() {
    String pem = site.certificatePem();
    String truncated = pem.substring(0, pem.indexOf("-----END"));
    PkiException e = assertThrows(PkiException.class, () -> Pem.parseCertificate(truncated));
    assertTrue(e.getMessage().contains("without a matching END"), e.getMessage());
  }

  @Test
  void invalidBase64IsRejected() {
    String pem = "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n";
    PkiException e = assertThrows(PkiException.class, () -> Pem.parseCertificate(pem));
    assertTrue(e.getMessage().contains("base64"), e.getMessage());
  }

  @Test
  void validBase64ThatIsNotACertificateIsRejected() {
    String pem = "-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n";
    PkiException e = assertThrows(PkiException.class, () -> Pem.parseCertificate(pem));
    assertTrue(e.getMessage().contains("not a DER X.509 certificate"), e.getMessage());
  }

  @Test
  void validBase64ThatIsNotAKeyIsRejected() {
    String pem = "-----BEGIN PRIVATE KEY-----\nAAECAwQF\n-----END PRIVATE KEY-----\n";
    PkiException e = assertThrows(PkiException.class, () -> Pem.parsePrivateKey(pem));
    assertTrue(e.getMessage().contains("PKCS#8"), e.getMessage());
  }

  @Test
  void sec1KeyIsRejectedWithConversionHint() {
    String pem = "-----BEGIN EC PRIVATE KEY-----\nAAECAwQF\n-----END EC PRIVATE KEY-----\n";
    PkiException e = assertThrows(PkiException.class, () -> Pem.parsePrivateKey(pem));
    assertTrue(e.getMessage().contains("openssl pkcs8"), e.getMessage());
  }

  @Test
  void mismatchedBeginAndEndAreRejected() {
    String pem = site.certificatePem().replace("END CERTIFICATE", "END PRIVATE KEY");
    assertThrows(PkiException.class, () -> Pem.parseCertificate(pem));
  }

  @Test
  void parsedCertificateIsTheJdkImplementation() throws Exception {
    X509Certificate parsed = Pem.parseCertificate(site.certificatePem());
    // JSSE and gRPC's TLS need the platform's certificate class, not a provider-specific one.
    assertTrue(parsed.getClass().getName().startsWith("sun.security"), parsed.getClass().getName());
  }
}
