package org.medfed.coordinator.enrolment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.CertificateSettings;
import org.medfed.coordinator.ConfigurationException;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.federation.CertificateLifecycle;
import org.medfed.coordinator.federation.TlsMaterial;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.EnrolmentGrpc;

/** What a coordinator checks before it opens its endpoint with enrolment enabled. */
class CertificateServicesTest {
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path dir;

  private final CertificateAuthority ca = CertificateAuthority.create("test", DAY);
  private final IssuedCredential coordinator =
      ca.issueCoordinator("coordinator", List.of("localhost"), List.of(), DAY);
  private final TlsMaterial tls =
      new TlsMaterial(coordinator.certificate(), coordinator.privateKey(), ca.certificate());
  private ExchangeLog log;

  @BeforeEach
  void consortium() throws Exception {
    Files.createDirectories(dir.resolve("pki/ca"));
    Files.writeString(dir.resolve("pki/ca/ca.crt.pem"), ca.certificatePem());
    Files.writeString(dir.resolve("pki/ca/ca.key.pem"), ca.privateKeyPem());
    new ConsortiumDirectory(dir.resolve("pki")).addMembers(List.of("charite", "basel"));
    log =
        ExchangeLog.open(
            dir.resolve("log"),
            Clock.systemUTC(),
            Signatures.signer(coordinator.privateKey()),
            "test");
  }

  @AfterEach
  void close() throws Exception {
    log.close();
  }

  private CertificateSettings settings(Path pki) {
    return new CertificateSettings(
        pki, null, CertificateSettings.DEFAULT_VALIDITY, Duration.ofHours(1));
  }

  @Test
  void enrolmentIsTheOnlyMethodOpenWithoutACertificate() throws Exception {
    CertificateLifecycle lifecycle =
        CertificateServices.start(settings(dir.resolve("pki")), tls, log, List.of("charite"));
    try {
      assertEquals(
          java.util.Set.of(EnrolmentGrpc.getEnrolMethod().getFullMethodName()),
          lifecycle.anonymousMethods());
      assertEquals(1, lifecycle.services().size());
    } finally {
      lifecycle.onClose().close();
    }
  }

  @Test
  void withoutAPkiDirectoryNothingIsIssuedAndCertificatesAreRequired() throws Exception {
    CertificateLifecycle lifecycle =
        CertificateServices.start(CertificateSettings.none(), tls, log, List.of("anyone"));
    assertTrue(lifecycle.anonymousMethods().isEmpty());
    assertTrue(lifecycle.services().isEmpty());
  }

  @Test
  void studyInvitingARemovedSiteDoesNotStart() throws Exception {
    new ConsortiumDirectory(dir.resolve("pki")).removeMember("basel");
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () ->
                CertificateServices.start(
                    settings(dir.resolve("pki")), tls, log, List.of("charite", "basel")));
    assertTrue(
        e.getMessage().startsWith("the study invites site \"basel\", which is not a member"),
        e.getMessage());
  }

  @Test
  void pkiDirectoryOfAnotherCaDoesNotStart() throws Exception {
    CertificateAuthority other = CertificateAuthority.create("other", DAY);
    Path pki = dir.resolve("other");
    Files.createDirectories(pki.resolve("ca"));
    Files.writeString(pki.resolve("ca/ca.crt.pem"), other.certificatePem());
    Files.writeString(pki.resolve("ca/ca.key.pem"), other.privateKeyPem());
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> CertificateServices.start(settings(pki), tls, log, List.of()));
    assertTrue(e.getMessage().contains("holds a different CA"), e.getMessage());
  }

  @Test
  void revocationListFromAnotherCaDoesNotStart() throws Exception {
    CertificateAuthority other = CertificateAuthority.create("test", DAY);
    java.time.Instant now = java.time.Instant.now();
    Files.writeString(
        dir.resolve("pki/crl.pem"), other.revocationList(List.of(), 1, now, now.plus(DAY)).pem());
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> CertificateServices.start(settings(dir.resolve("pki")), tls, log, List.of()));
    assertTrue(e.getMessage().startsWith("the revocation list"), e.getMessage());
  }
}
