package org.medfed.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.SignatureException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  private static final Duration YEAR = Duration.ofDays(365);
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  private static final int SAN_IP = 7;

  private final CertificateAuthority ca = CertificateAuthority.create("heart-study", YEAR);

  @Test
  void rootIsSelfSignedCaWithPathLengthZero() throws Exception {
    X509Certificate root = ca.certificate();
    root.verify(root.getPublicKey());
    assertEquals(0, root.getBasicConstraints());
    assertEquals(
        "CN=heart-study Root CA,O=MedFed consortium heart-study",
        root.getSubjectX500Principal().getName());
    assertEquals("SHA256withECDSA", root.getSigAlgName());
    boolean[] usage = root.getKeyUsage();
    assertTrue(usage[5], "keyCertSign");
    assertTrue(usage[6], "cRLSign");
    assertFalse(usage[0], "digitalSignature");
    assertTrue(root.getCriticalExtensionOIDs().contains("2.5.29.19"), "BasicConstraints critical");
    assertTrue(root.getNonCriticalExtensionOIDs().contains("2.5.29.14"), "SubjectKeyIdentifier");
  }

  @Test
  void siteCertificateVerifiesAgainstItsCa() throws Exception {
    X509Certificate site = ca.issueSite("charite", YEAR).certificate();
    site.verify(ca.certificate().getPublicKey());
    assertEquals(ca.certificate().getSubjectX500Principal(), site.getIssuerX500Principal());
  }

  @Test
  void siteCertificateDoesNotVerifyAgainstAnotherCa() {
    CertificateAuthority other = CertificateAuthority.create("heart-study", YEAR);
    X509Certificate site = ca.issueSite("charite", YEAR).certificate();
    assertThrows(SignatureException.class, () -> site.verify(other.certificate().getPublicKey()));
  }

  @Test
  void siteCertificatePassesPkixValidationFromTheRoot() throws Exception {
    X509Certificate site = ca.issueSite("charite", YEAR).certificate();
    pkixValidate(site, ca.certificate());
  }

  @Test
  void coordinatorCertificatePassesPkixValidationFromTheRoot() throws Exception {
    X509Certificate coordinator =
        ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), YEAR).certificate();
    pkixValidate(coordinator, ca.certificate());
  }

  @Test
  void siteCertificateNamesTheSiteAsClientOnly() throws Exception {
    X509Certificate site = ca.issueSite("hospital-7", YEAR).certificate();
    assertEquals(List.of(CLIENT_AUTH), site.getExtendedKeyUsage());
    assertEquals(Set.of(List.of(SAN_URI, "urn:medfed:site:hospital-7")), sans(site));
    assertTrue(site.getKeyUsage()[0], "digitalSignature");
    assertFalse(site.getKeyUsage()[5], "keyCertSign");
    assertEquals(-1, site.getBasicConstraints());
    assertEquals(
        "CN=hospital-7,OU=site,O=MedFed consortium heart-study",
        site.getSubjectX500Principal().getName());
  }

  @Test
  void coordinatorCertificateCarriesDnsAndIpNamesForServerAndClientAuth() throws Exception {
    X509Certificate coordinator =
        ca.issueCoordinator(
                "coordinator",
                List.of("localhost", "coordinator.medfed.example"),
                List.of("127.0.0.1", "::1"),
                YEAR)
            .certificate();
    assertEquals(List.of(SERVER_AUTH, CLIENT_AUTH), coordinator.getExtendedKeyUsage());
    Set<List<?>> sans = sans(coordinator);
    assertEquals(4, sans.size());
    assertTrue(sans.contains(List.of(SAN_DNS, "localhost")));
    assertTrue(sans.contains(List.of(SAN_DNS, "coordinator.medfed.example")));
    assertTrue(sans.contains(List.of(SAN_IP, "127.0.0.1")));
    // The JDK prints IPv6 SANs in full form; compare as addresses.
    assertTrue(
        sans.stream()
            .filter(san -> san.get(0).equals(SAN_IP) && ((String) san.get(1)).contains(":"))
            .anyMatch(san -> sameAddress((String) san.get(1), "::1")));
    assertTrue(coordinator.getKeyUsage()[0], "digitalSignature");
  }

  @Test
  void leafAuthorityKeyIdentifierIsTheCaSubjectKeyIdentifier() {
    X509Certificate site = ca.issueSite("charite", YEAR).certificate();
    byte[] ski = ca.certificate().getExtensionValue("2.5.29.14");
    byte[] aki = site.getExtensionValue("2.5.29.35");
    // OCTET STRING(SKI) = 04 16 04 14 <20 bytes>; AKI = 04 18 30 16 80 14 <20 bytes>.
    byte[] keyId = Arrays.copyOfRange(ski, ski.length - 20, ski.length);
    byte[] akiKeyId = Arrays.copyOfRange(aki, aki.length - 20, aki.length);
    assertEquals(0x80, aki[4] & 0xff, "AKI holds a keyIdentifier");
    assertArrayEquals(keyId, akiKeyId);
  }

  @Test
  void serialNumbersDifferBetweenCertificates() {
    Set<BigInteger> serials = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      serials.add(ca.issueSite("site-" + i, YEAR).certificate().getSerialNumber());
    }
    assertEquals(20, serials.size());
  }

  @Test
  void leafValidityIsCutAtCaExpiry() {
    CertificateAuthority shortLived = CertificateAuthority.create("short", Duration.ofDays(10));
    X509Certificate site = shortLived.issueSite("charite", YEAR).certificate();
    assertEquals(shortLived.certificate().getNotAfter(), site.getNotAfter());
  }

  @Test
  void leafValidityStartsBeforeNowToTolerateClockSkew() {
    X509Certificate site = ca.issueSite("charite", Duration.ofDays(1)).certificate();
    assertTrue(site.getNotBefore().toInstant().isBefore(Instant.now().minusSeconds(60)));
    assertTrue(site.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(1))));
  }

  @Test
  void caLoadedFromPemIssuesCertificatesThatVerifyAgainstTheOriginal() throws Exception {
    CertificateAuthority loaded =
        CertificateAuthority.fromPem(ca.certificatePem(), ca.privateKeyPem());
    assertEquals(ca.certificate(), loaded.certificate());
    X509Certificate site = loaded.issueSite("charite", YEAR).certificate();
    site.verify(ca.certificate().getPublicKey());
    pkixValidate(site, ca.certificate());
  }

  @Test
  void fromPemRejectsKeyOfAnotherCa() {
    CertificateAuthority other = CertificateAuthority.create("heart-study", YEAR);
    PkiException e =
        assertThrows(
            PkiException.class,
            () -> CertificateAuthority.fromPem(ca.certificatePem(), other.privateKeyPem()));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
  }

  @Test
  void fromPemRejectsLeafCertificate() {
    IssuedCredential site = ca.issueSite("charite", YEAR);
    PkiException e =
        assertThrows(
            PkiException.class,
            () -> CertificateAuthority.fromPem(site.certificatePem(), site.privateKeyPem()));
    assertTrue(e.getMessage().contains("not a CA certificate"), e.getMessage());
  }

  @Test
  void fromPemRejectsSwappedArguments() {
    assertThrows(
        PkiException.class,
        () -> CertificateAuthority.fromPem(ca.privateKeyPem(), ca.certificatePem()));
  }

  @Test
  void badSiteIdsAreRejectedNamingTheIdAndTheRule() {
    for (String bad :
        List.of("", "Charite", "-leading", "under_score", "dot.ted", "a".repeat(64), "sp ace")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ca.issueSite(bad, YEAR), bad);
      assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
      assertTrue(e.getMessage().contains("lowercase letter or digit"), e.getMessage());
    }
  }

  @Test
  void longestAndShortestValidSiteIdsAreAccepted() throws Exception {
    for (String good : List.of("a", "7", "a".repeat(63), "st-marys-2")) {
      assertEquals(good, PartyIdentity.of(ca.issueSite(good, YEAR).certificate()).name());
    }
  }

  @Test
  void coordinatorWithoutAnySubjectAlternativeNameIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ca.issueCoordinator("coordinator", List.of(), List.of(), YEAR));
  }

  @Test
  void malformedCoordinatorNamesAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ca.issueCoordinator("coordinator", List.of("bad host"), List.of(), YEAR));
    assertThrows(
        IllegalArgumentException.class,
        () -> ca.issueCoordinator("coordinator", List.of(), List.of("300.1.1.1"), YEAR));
    assertThrows(
        IllegalArgumentException.class,
        () -> ca.issueCoordinator("coordinator", List.of(), List.of("localhost"), YEAR));
  }

  @Test
  void nonPositiveValidityIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ca.issueSite("charite", Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> CertificateAuthority.create("heart-study", Duration.ofDays(-1)));
  }

  @Test
  void blankOrOverlongConsortiumNamesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.create(" ", YEAR));
    assertThrows(
        IllegalArgumentException.class, () -> CertificateAuthority.create("x".repeat(47), YEAR));
  }

  @Test
  void issuedCredentialNeverPrintsItsKey() {
    IssuedCredential site = ca.issueSite("charite", YEAR);
    String text = site.toString();
    assertTrue(text.contains("<redacted>"), text);
    assertFalse(text.contains(site.privateKeyPem().lines().skip(1).findFirst().orElseThrow()));
  }

  @Test
  void issuedCredentialRejectsKeyOfAnotherCertificate() {
    IssuedCredential a = ca.issueSite("a", YEAR);
    IssuedCredential b = ca.issueSite("b", YEAR);
    assertThrows(
        IllegalArgumentException.class,
        () -> new IssuedCredential(a.certificate(), b.privateKey()));
  }

  private static void pkixValidate(X509Certificate leaf, X509Certificate root) throws Exception {
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
  }

  private static Set<List<?>> sans(X509Certificate certificate) throws Exception {
    return new HashSet<>(certificate.getSubjectAlternativeNames());
  }

  private static boolean sameAddress(String a, String b) {
    try {
      return InetAddress.ofLiteral(a).equals(InetAddress.ofLiteral(b));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
