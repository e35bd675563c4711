package org.medfed.coordinator.enrolment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.enrolment.EnrolmentException.Kind;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.revocation.CertificateGate;
import org.medfed.coordinator.revocation.RevocationWatcher;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.CertificateRequest;
import org.medfed.crypto.pki.EnrolmentToken;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.Revocation;
import org.medfed.crypto.sign.Signatures;

/** Enrolment and renewal rules; every refusal issues nothing. */
class CertificateIssuerTest {
  private static final Duration VALIDITY = Duration.ofDays(30);

  @TempDir Path dir;

  private final CertificateAuthority ca = CertificateAuthority.create("test", Duration.ofDays(400));
  private ConsortiumDirectory directory;
  private RevocationWatcher revocations = RevocationWatcher.none();
  private ExchangeLog exchangeLog;

  @BeforeEach
  void consortium() throws Exception {
    Files.createDirectories(dir.resolve("ca"));
    Files.writeString(dir.resolve("ca/ca.crt.pem"), ca.certificatePem());
    directory = new ConsortiumDirectory(dir);
    directory.addMembers(List.of("charite", "basel"));
  }

  @AfterEach
  void close() throws Exception {
    revocations.close();
    if (exchangeLog != null) {
      exchangeLog.close();
    }
  }

  private CertificateIssuer issuer(Clock clock) {
    return new CertificateIssuer(
        directory, ca, new CertificateGate(ca.certificate(), revocations, clock), VALIDITY, clock);
  }

  private CertificateIssuer issuer() {
    return issuer(Clock.systemUTC());
  }

  private EnrolmentToken token(String site, Duration validFor) throws Exception {
    EnrolmentToken token =
        EnrolmentToken.generate(site, Instant.now().plus(validFor), new SecureRandom());
    directory.storeToken(token.digest());
    return token;
  }

  private static byte[] request(String site, KeyPair keys) {
    return CertificateRequest.create(site, keys).encoded();
  }

  private static byte[] request(String site) {
    return request(site, CertificateRequest.generateKeyPair());
  }

  private EnrolmentException refused(Kind kind, ThrowingCall call) throws Exception {
    EnrolmentException e = assertThrows(EnrolmentException.class, call::run);
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  private void assertNothingIssued() throws Exception {
    assertEquals(List.of(), directory.issued());
  }

  @Test
  void enrolmentCertifiesTheSitesOwnKeyForTheConfiguredValidity() throws Exception {
    EnrolmentToken token = token("charite", Duration.ofHours(24));
    KeyPair keys = CertificateRequest.generateKeyPair();

    X509Certificate certificate = issuer().enrol(token.reveal(), request("charite", keys));

    certificate.verify(ca.certificate().getPublicKey());
    assertArrayEquals(keys.getPublic().getEncoded(), certificate.getPublicKey().getEncoded());
    assertEquals(new PartyIdentity("charite", PartyRole.SITE), PartyIdentity.of(certificate));
    Duration left = Duration.between(Instant.now(), certificate.getNotAfter().toInstant());
    assertTrue(left.compareTo(VALIDITY.minusMinutes(1)) > 0 && left.compareTo(VALIDITY) <= 0);
    assertEquals(certificate.getSerialNumber(), directory.issued().getFirst().serial());
    assertTrue(directory.outstandingToken("charite").isEmpty(), "the token is spent");
  }

  @Test
  void consortiumDirectoryNeverHoldsTheToken() throws Exception {
    EnrolmentToken token = token("charite", Duration.ofHours(24));
    issuer().enrol(token.reveal(), request("charite"));
    String secret = token.reveal().substring(token.reveal().lastIndexOf('.') + 1);
    try (var files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertFalse(Files.readString(file).contains(secret), file + " holds the token");
      }
    }
  }

  @Test
  void reusedTokenIsRefusedWithTheTimeOfItsFirstUse() throws Exception {
    EnrolmentToken token = token("charite", Duration.ofHours(24));
    issuer().enrol(token.reveal(), request("charite"));

    EnrolmentException e =
        refused(Kind.DENIED, () -> issuer().enrol(token.reveal(), request("charite")));
    assertTrue(
        e.getMessage().startsWith("this enrolment token for site \"charite\" was already used at"));
    assertEquals(1, directory.issued().size());
  }

  @Test
  void expiredTokenIsRefused() throws Exception {
    EnrolmentToken token = token("charite", Duration.ofMinutes(10));
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC);

    EnrolmentException e =
        refused(Kind.DENIED, () -> issuer(later).enrol(token.reveal(), request("charite")));
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
    assertNothingIssued();
  }

  @Test
  void tokenForAnotherSiteIsRefusedAndStaysUsableByItsSite() throws Exception {
    EnrolmentToken forBasel = token("basel", Duration.ofHours(24));

    EnrolmentException e =
        refused(Kind.MALFORMED, () -> issuer().enrol(forBasel.reveal(), request("charite")));
    assertEquals(
        "the certificate request names site \"charite\", but the enrolment token was issued for"
            + " site \"basel\"",
        e.getMessage());
    assertNothingIssued();
    issuer().enrol(forBasel.reveal(), request("basel"));
  }

  @Test
  void tokenWhoseSiteWasRewrittenIsRefused() throws Exception {
    EnrolmentToken forBasel = token("basel", Duration.ofHours(24));
    token("charite", Duration.ofHours(24));
    String rewritten = forBasel.reveal().replace(".basel.", ".charite.");

    EnrolmentException e =
        refused(Kind.DENIED, () -> issuer().enrol(rewritten, request("charite")));
    assertTrue(e.getMessage().contains("is not the one issued for site \"charite\""));
    assertNothingIssued();
  }

  @Test
  void tokenReplacedByANewerOneIsRefused() throws Exception {
    EnrolmentToken first = token("charite", Duration.ofHours(24));
    token("charite", Duration.ofHours(24));

    refused(Kind.DENIED, () -> issuer().enrol(first.reveal(), request("charite")));
    assertNothingIssued();
  }

  @Test
  void siteWithoutAnOutstandingTokenIsRefused() throws Exception {
    EnrolmentToken neverStored =
        EnrolmentToken.generate("charite", Instant.now().plusSeconds(3600), new SecureRandom());

    EnrolmentException e =
        refused(Kind.DENIED, () -> issuer().enrol(neverStored.reveal(), request("charite")));
    assertTrue(e.getMessage().contains("has no outstanding enrolment token"), e.getMessage());
  }

  @Test
  void malformedTokenIsRefused() throws Exception {
    EnrolmentException e =
        refused(Kind.MALFORMED, () -> issuer().enrol("not-a-token", request("charite")));
    assertTrue(e.getMessage().startsWith("the enrolment token is malformed"));
  }

  @Test
  void requestWithABadSelfSignatureIsRefusedAndTheTokenStaysUsable() throws Exception {
    EnrolmentToken token = token("charite", Duration.ofHours(24));
    byte[] forged = request("charite");
    forged[forged.length - 1] ^= 1;

    EnrolmentException e = refused(Kind.MALFORMED, () -> issuer().enrol(token.reveal(), forged));
    assertEquals(
        "the certificate request's self-signature does not verify with its own public key",
        e.getMessage());
    assertNothingIssued();
    issuer().enrol(token.reveal(), request("charite"));
  }

  @Test
  void removedSiteCannotEnrolEvenWithAToken() throws Exception {
    EnrolmentToken token = token("charite", Duration.ofHours(24));
    directory.removeMember("charite");

    EnrolmentException e =
        refused(Kind.DENIED, () -> issuer().enrol(token.reveal(), request("charite")));
    assertTrue(e.getMessage().contains("is not a member"), e.getMessage());
    assertNothingIssued();
  }

  @Test
  void renewalCertifiesANewKeyForTheSameSite() throws Exception {
    X509Certificate current = ca.issueSite("charite", VALIDITY).certificate();
    KeyPair keys = CertificateRequest.generateKeyPair();

    X509Certificate renewed = issuer().renew(current, request("charite", keys));

    assertArrayEquals(keys.getPublic().getEncoded(), renewed.getPublicKey().getEncoded());
    assertEquals(new PartyIdentity("charite", PartyRole.SITE), PartyIdentity.of(renewed));
    assertFalse(renewed.getSerialNumber().equals(current.getSerialNumber()));
  }

  @Test
  void renewalReusingTheCurrentKeyIsRefused() throws Exception {
    KeyPair keys = CertificateRequest.generateKeyPair();
    X509Certificate current = ca.issueSite(CertificateRequest.create("charite", keys), VALIDITY);

    EnrolmentException e =
        refused(Kind.MALFORMED, () -> issuer().renew(current, request("charite", keys)));
    assertTrue(e.getMessage().contains("must certify a new key"), e.getMessage());
    assertNothingIssued();
  }

  @Test
  void renewalForAnotherSiteIsRefused() throws Exception {
    X509Certificate current = ca.issueSite("charite", VALIDITY).certificate();

    EnrolmentException e = refused(Kind.MALFORMED, () -> issuer().renew(current, request("basel")));
    assertEquals(
        "the certificate request names site \"basel\", but the caller's certificate is for site"
            + " \"charite\"",
        e.getMessage());
    assertNothingIssued();
  }

  @Test
  void renewalWithACertificateFromAnotherCaIsRefused() throws Exception {
    CertificateAuthority rogue = CertificateAuthority.create("test", Duration.ofDays(30));
    X509Certificate forged = rogue.issueSite("charite", VALIDITY).certificate();

    EnrolmentException e =
        refused(Kind.UNAUTHENTICATED, () -> issuer().renew(forged, request("charite")));
    assertTrue(e.getMessage().contains("is not signed by the consortium CA"), e.getMessage());
    assertNothingIssued();
  }

  @Test
  void renewalWithAnExpiredCertificateIsRefused() throws Exception {
    X509Certificate current = ca.issueSite("charite", VALIDITY).certificate();
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(31)), ZoneOffset.UTC);

    EnrolmentException e =
        refused(Kind.UNAUTHENTICATED, () -> issuer(later).renew(current, request("charite")));
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
  }

  @Test
  void renewalWithARevokedCertificateIsRefused() throws Exception {
    X509Certificate current = ca.issueSite("charite", VALIDITY).certificate();
    Instant now = Instant.now();
    directory.writeRevocationList(
        ca.revocationList(
            List.of(new Revocation(current.getSerialNumber(), "charite", "laptop stolen", now)),
            1,
            now,
            now.plus(VALIDITY)));
    exchangeLog = ExchangeLog.open(dir.resolve("log"), Clock.systemUTC(), signer(), "test");
    revocations =
        RevocationWatcher.start(
            directory.crlFile(), ca.certificate(), exchangeLog, Duration.ofHours(1));

    EnrolmentException e = refused(Kind.DENIED, () -> issuer().renew(current, request("charite")));
    assertTrue(e.getMessage().contains("was revoked by the consortium"), e.getMessage());
    assertTrue(e.getMessage().endsWith("laptop stolen"), e.getMessage());
    assertNothingIssued();
  }

  @Test
  void removedSiteCannotRenew() throws Exception {
    X509Certificate current = ca.issueSite("charite", VALIDITY).certificate();
    directory.removeMember("charite");

    EnrolmentException e = refused(Kind.DENIED, () -> issuer().renew(current, request("charite")));
    assertTrue(e.getMessage().contains("no longer a member"), e.getMessage());
  }

  private static org.medfed.crypto.sign.Signer signer() throws Exception {
    return Signatures.signer(
        CertificateAuthority.create("log", Duration.ofDays(1))
            .issueCoordinator("coordinator", List.of("localhost"), List.of(), Duration.ofDays(1))
            .privateKey());
  }
}
