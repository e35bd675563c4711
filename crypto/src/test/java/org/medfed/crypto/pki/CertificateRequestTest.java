package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class CertificateRequestTest {
  private static final Duration MONTH = Duration.ofDays(30);
  private final CertificateAuthority ca = CertificateAuthority.create("heart-study", MONTH);

  @Test
  void requestRoundTripsSiteAndKey() throws Exception {
    KeyPair keys = CertificateRequest.generateKeyPair();
    CertificateRequest parsed =
        CertificateRequest.parse(CertificateRequest.create("charite", keys).encoded());
    assertEquals("charite", parsed.siteId());
    assertArrayEquals(keys.getPublic().getEncoded(), parsed.publicKey().getEncoded());
  }

  @Test
  void certificateFromRequestCertifiesTheSitesOwnKey() throws Exception {
    KeyPair keys = CertificateRequest.generateKeyPair();
    CertificateRequest request =
        CertificateRequest.parse(CertificateRequest.create("charite", keys).encoded());
    X509Certificate certificate = ca.issueSite(request, MONTH);
    certificate.verify(ca.certificate().getPublicKey());
    assertArrayEquals(keys.getPublic().getEncoded(), certificate.getPublicKey().getEncoded());
    assertEquals(new PartyIdentity("charite", PartyRole.SITE), PartyIdentity.of(certificate));
    // The site can pair it with its private key, as a TLS key manager will.
    new IssuedCredential(certificate, keys.getPrivate());
    assertEquals(
        "CN=charite,OU=site,O=MedFed consortium heart-study",
        certificate.getSubjectX500Principal().getName());
  }

  @Test
  void certificateFromRequestIsAsShortLivedAsAsked() throws Exception {
    CertificateRequest request =
        CertificateRequest.create("charite", CertificateRequest.generateKeyPair());
    X509Certificate certificate = ca.issueSite(request, Duration.ofSeconds(60));
    Duration lifetime =
        Duration.between(
            certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
    assertTrue(lifetime.compareTo(Duration.ofSeconds(67)) <= 0, lifetime.toString());
  }

  @Test
  void requestWithABadSelfSignatureIsRefused() {
    byte[] der =
        CertificateRequest.create("charite", CertificateRequest.generateKeyPair()).encoded();
    der[der.length - 1] ^= 0x01; // the last byte of the signature's s value
    PkiException e = assertThrows(PkiException.class, () -> CertificateRequest.parse(der));
    assertEquals(
        "the certificate request's self-signature does not verify with its own public key",
        e.getMessage());
  }

  @Test
  void requestSignedWithAnotherKeyIsRefused() throws Exception {
    KeyPair claimed = CertificateRequest.generateKeyPair();
    KeyPair signer = CertificateRequest.generateKeyPair();
    byte[] der =
        new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=charite"), claimed.getPublic())
            .build(
                new JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(new BouncyCastleProvider())
                    .build(signer.getPrivate()))
            .getEncoded();
    PkiException e = assertThrows(PkiException.class, () -> CertificateRequest.parse(der));
    assertTrue(e.getMessage().contains("self-signature does not verify"));
  }

  @Test
  void garbageIsNotARequest() {
    PkiException e =
        assertThrows(PkiException.class, () -> CertificateRequest.parse(new byte[] {0x30, 0x03}));
    assertEquals("the certificate request is not a DER PKCS#10 request", e.getMessage());
    assertThrows(PkiException.class, () -> CertificateRequest.parse(new byte[0]));
  }

  @Test
  void rsaKeyIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair rsa = generator.generateKeyPair();
    byte[] der = request("CN=charite", rsa, "SHA256withRSA");
    PkiException e = assertThrows(PkiException.class, () -> CertificateRequest.parse(der));
    assertEquals("the certificate request's key must be an EC P-256 key", e.getMessage());
  }

  @Test
  void subjectWithoutASiteIdIsRefused() throws Exception {
    KeyPair keys = CertificateRequest.generateKeyPair();
    PkiException e =
        assertThrows(
            PkiException.class,
            () -> CertificateRequest.parse(request("CN=Charite Berlin", keys, "SHA256withECDSA")));
    assertTrue(e.getMessage().contains("is not a site id"), e.getMessage());
    e =
        assertThrows(
            PkiException.class,
            () -> CertificateRequest.parse(request("O=charite", keys, "SHA256withECDSA")));
    assertTrue(e.getMessage().contains("must have exactly one CN"), e.getMessage());
  }

  @Test
  void requestForTheCoordinatorRoleIsRefused() throws Exception {
    KeyPair keys = CertificateRequest.generateKeyPair();
    PkiException e =
        assertThrows(
            PkiException.class,
            () ->
                CertificateRequest.parse(
                    request("OU=coordinator,CN=charite", keys, "SHA256withECDSA")));
    assertTrue(e.getMessage().contains("a site may only request OU=\"site\""), e.getMessage());
  }

  @Test
  void certificateFromRequestChecksAgainstTheCa() throws Exception {
    CertificateRequest request =
        CertificateRequest.create("charite", CertificateRequest.generateKeyPair());
    X509Certificate certificate = ca.issueSite(request, MONTH);
    assertEquals(
        new PartyIdentity("charite", PartyRole.SITE),
        CertificateCheck.verify(certificate, ca.certificate(), Instant.now()));
  }

  private static byte[] request(String subject, KeyPair keys, String algorithm) throws Exception {
    return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
        .build(
            new JcaContentSignerBuilder(algorithm)
                .setProvider(new BouncyCastleProvider())
                .build(keys.getPrivate()))
        .getEncoded();
  }
}
