package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.coordinator.enrolment.ConsortiumDirectory;
import org.medfed.coordinator.provision.ProvisionCommand;
import org.medfed.coordinator.revocation.ConsortiumTrustManager;
import org.medfed.crypto.pki.CertificateRequest;
import org.medfed.crypto.pki.Pem;
import org.medfed.proto.v1.EnrolRequest;
import org.medfed.proto.v1.EnrolmentGrpc;
import org.medfed.proto.v1.FederationGrpc;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.RenewRequest;
import org.medfed.proto.v1.SiteRevoked;
import org.medfed.site.config.TlsFiles;
import org.medfed.site.enrolment.CertificateRenewal;
import org.medfed.site.enrolment.EnrolCommand;
import org.medfed.site.federation.EgressLedger;
import org.medfed.site.federation.MessageChain;
import org.medfed.site.federation.SiteChannels;
import org.medfed.site.federation.SiteCredentials;
import org.slf4j.LoggerFactory;

/**
 * The certificate lifecycle over real TLS on loopback: a site enrols with a one-time token (its key
 * made on the site), joins with the issued certificate, renews a short-lived certificate while it
 * keeps calling, and is revoked: calls on its open connection and its next handshake are refused,
 * and the exchange log records the revocation.
 */
@Timeout(120)
class CertificateLifecycleIT {
  private static final Duration SHORT_VALIDITY = Duration.ofSeconds(9);
  private static final String SITE = "hungary";

  @TempDir Path dir;

  private TestNetwork network;
  private Path pki;
  private CoordinatorNode coordinator;
  private final ListAppender<ILoggingEvent> handshakeLog = new ListAppender<>();

  @BeforeEach
  void consortiumWithAnIssuingCoordinator() throws Exception {
    network = new TestNetwork(dir);
    // The consortium directory, its CA key mounted on this coordinator (medfed.enrolment.pki-dir).
    pki = dir.resolve("pki");
    Files.createDirectories(pki.resolve("ca"));
    Files.writeString(pki.resolve("ca/ca.crt.pem"), network.ca.certificatePem());
    Files.writeString(pki.resolve("ca/ca.key.pem"), network.ca.privateKeyPem());
    new ConsortiumDirectory(pki).addMembers(TestNetwork.SITES);
    coordinator =
        CoordinatorNode.start(
            new CoordinatorSettings(
                network.study(1, 1, "5s", "stop"),
                dir.resolve("coordinator-data"),
                dir.resolve("coordinator.crt.pem"),
                dir.resolve("coordinator.key.pem"),
                dir.resolve("ca.crt.pem"),
                "127.0.0.1",
                0,
                Duration.ofMinutes(5),
                4,
                new CertificateSettings(pki, null, SHORT_VALIDITY, Duration.ofMillis(200))));
    Logger trust = (Logger) LoggerFactory.getLogger(ConsortiumTrustManager.class);
    handshakeLog.start();
    trust.addAppender(handshakeLog);
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(ConsortiumTrustManager.class)).detachAppender(handshakeLog);
    if (coordinator != null) {
      coordinator.close();
    }
  }

  private String address() {
    return "localhost:" + coordinator.grpcPort();
  }

  private String provision(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ProvisionCommand.run(
            List.of(args),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private String enrolToken(String site) {
    return provision("enrol-token", "--pki", pki.toString(), "--site", site, "--valid-for", "1h")
        .lines()
        .findFirst()
        .orElseThrow();
  }

  /** A hospital's site.yaml before enrolment: no key, no certificate yet, only the CA. */
  private Path siteConfig(String site) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("hospital-" + site));
    Files.writeString(folder.resolve("ca.crt.pem"), network.ca.certificatePem());
    Path data = Path.of(System.getProperty("medfed.repo.root"), "data", "heart-disease");
    Path config = folder.resolve("site.yaml");
    Files.writeString(
        config,
        """
        coordinator: "%s"
        tls:
          certificate: site.crt.pem
          private-key: site.key.pem
          ca-certificate: ca.crt.pem
        data:
          connector: csv
          path: %s
          mapping: %s
        policy:
          allowed-model-types: [logistic-regression]
          allowed-columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, num]
        state-dir: state
        """
            .formatted(
                address(),
                data.resolve("processed." + TestNetwork.SITE_FILES.get(site) + ".data"),
                data.resolve("uci-mapping.yaml")));
    return config;
  }

  private static TlsFiles tlsFiles(Path config) {
    Path folder = config.getParent();
    return new TlsFiles(
        folder.resolve("site.crt.pem"),
        folder.resolve("site.key.pem"),
        folder.resolve("ca.crt.pem"));
  }

  private static int enrol(Path config, String token) {
    return EnrolCommand.run(
        List.of("--config", config.toString(), "--token", token),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  private static String join(ManagedChannel channel) {
    return FederationGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .join(JoinRequest.getDefaultInstance())
        .getSiteId();
  }

  private static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void enrolJoinRenewAndRevoke() throws Exception {
    // 1. Enrolment: the site makes its key, sends a CSR with the token, gets a 9-second
    // certificate.
    Path config = siteConfig(SITE);
    String token = enrolToken(SITE);
    assertEquals(0, enrol(config, token));
    TlsFiles files = tlsFiles(config);
    if (files.privateKey().getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals(
          Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(files.privateKey()));
    }
    X509Certificate enrolled = Pem.parseCertificate(Files.readString(files.certificate()));
    assertTrue(
        Duration.between(Instant.now(), enrolled.getNotAfter().toInstant())
                .compareTo(SHORT_VALIDITY)
            <= 0);

    // The same token again, over the wire: refused, nothing issued.
    ManagedChannel anonymous = SiteChannels.openForEnrolment(address(), network.ca.certificate());
    try {
      StatusRuntimeException reused =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  EnrolmentGrpc.newBlockingStub(anonymous)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .enrol(
                          EnrolRequest.newBuilder()
                              .setToken(token)
                              .setCertificateRequest(
                                  ByteString.copyFrom(
                                      CertificateRequest.create(
                                              SITE, CertificateRequest.generateKeyPair())
                                          .encoded()))
                              .build()));
      assertEquals(Status.Code.PERMISSION_DENIED, reused.getStatus().getCode());
      assertTrue(reused.getStatus().getDescription().contains("was already used at"));

      // Without a client certificate, only Enrol is open: Federation and Renew are refused.
      StatusRuntimeException federation =
          assertThrows(StatusRuntimeException.class, () -> join(anonymous));
      assertEquals(Status.Code.UNAUTHENTICATED, federation.getStatus().getCode());
      assertTrue(
          federation.getStatus().getDescription().contains("needs a client certificate"),
          federation.getStatus().getDescription());
      StatusRuntimeException renew =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  EnrolmentGrpc.newBlockingStub(anonymous)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .renew(RenewRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, renew.getStatus().getCode());
    } finally {
      close(anonymous);
    }

    // 2. The issued certificate joins the federation under the site's name.
    SiteCredentials credentials = SiteCredentials.load(files);
    ManagedChannel channel =
        SiteChannels.open(address(), credentials, MessageChain.in(network.stateDir(SITE)));
    try (EgressLedger ledger = new EgressLedger(dir.resolve("hospital-" + SITE + "/state"))) {
      assertEquals(SITE, join(channel));

      // 3. Renewal at two thirds of the 9 s validity, while the site keeps calling: no call fails.
      try (CertificateRenewal renewal =
          CertificateRenewal.start(credentials, channel, ledger, Clock.systemUTC())) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (renewal.renewals() == 0) {
          assertTrue(Instant.now().isBefore(deadline), "no renewal within 30 s");
          assertEquals(SITE, join(channel));
          Thread.sleep(100);
        }
      }
      X509Certificate renewed = credentials.certificate();
      assertNotEquals(enrolled.getSerialNumber(), renewed.getSerialNumber());
      assertEquals(renewed, Pem.parseCertificate(Files.readString(files.certificate())));
      assertEquals(credentials.certificate(), SiteCredentials.load(files).certificate());
      // Once the enrolled certificate has expired, the same channel still works: it reconnected
      // with the renewed one (an expired certificate is refused at every call).
      while (Instant.now().isBefore(enrolled.getNotAfter().toInstant().plusMillis(500))) {
        assertEquals(SITE, join(channel));
        Thread.sleep(200);
      }
      assertEquals(SITE, join(channel));

      // 4. Revocation: the consortium revokes the site; the coordinator reloads its list.
      provision("revoke", "--pki", pki.toString(), "--site", SITE, "--reason", "integration test");
      SiteRevoked logged = awaitRevocationInLog(renewed.getSerialNumber());
      assertEquals(SITE, logged.getSite());
      assertEquals("integration test", logged.getReason());

      // A call on the connection that is already open: refused, saying which certificate and why.
      StatusRuntimeException inFlight =
          assertThrows(StatusRuntimeException.class, () -> join(channel));
      assertEquals(Status.Code.PERMISSION_DENIED, inFlight.getStatus().getCode());
      String reason = inFlight.getStatus().getDescription();
      assertTrue(reason.contains(renewed.getSerialNumber().toString(16)), reason);
      assertTrue(reason.contains("was revoked by the consortium"), reason);
      assertTrue(reason.endsWith("integration test"), reason);
    } finally {
      close(channel);
    }

    // The next handshake with the revoked certificate fails, and the coordinator logs why.
    ManagedChannel fresh =
        SiteChannels.open(
            address(), SiteCredentials.load(files), MessageChain.in(network.stateDir(SITE)));
    try {
      StatusRuntimeException handshake =
          assertThrows(StatusRuntimeException.class, () -> join(fresh));
      assertEquals(Status.Code.UNAVAILABLE, handshake.getStatus().getCode());
    } finally {
      close(fresh);
    }
    String serial = credentials.certificate().getSerialNumber().toString(16);
    assertTrue(
        handshakeLog.list.stream()
            .anyMatch(
                event ->
                    event.getFormattedMessage().contains("TLS handshake refused")
                        && event.getKeyValuePairs().stream()
                            .anyMatch(
                                kv ->
                                    kv.key.equals("reason")
                                        && kv.value.toString().contains(serial)
                                        && kv.value.toString().contains("was revoked"))),
        handshakeLog.list.toString());
  }

  @Test
  void certificateFromAnotherCaIsRefusedAtTheHandshakeWithItsReasonLogged() throws Exception {
    var rogue = org.medfed.crypto.pki.CertificateAuthority.create("test", Duration.ofDays(1));
    ManagedChannel impostor =
        SiteChannels.open(
            address(), network.kit(SITE, rogue), MessageChain.in(network.stateDir("impostor")));
    try {
      StatusRuntimeException refused =
          assertThrows(StatusRuntimeException.class, () -> join(impostor));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    } finally {
      close(impostor);
    }
    assertTrue(
        handshakeLog.list.stream()
            .flatMap(event -> event.getKeyValuePairs().stream())
            .anyMatch(
                kv ->
                    kv.key.equals("reason")
                        && kv.value.toString().contains("is not signed by the consortium CA")),
        handshakeLog.list.toString());
  }

  @Test
  void kitSiteStillJoinsWhenEnrolmentIsEnabled() throws Exception {
    ManagedChannel kit = network.channel("cleveland", coordinator.grpcPort());
    try {
      assertEquals("cleveland", join(kit));
    } finally {
      close(kit);
    }
  }

  private SiteRevoked awaitRevocationInLog(BigInteger serial) throws Exception {
    Instant deadline = Instant.now().plusSeconds(15);
    while (Instant.now().isBefore(deadline)) {
      for (LogEntry entry :
          coordinator.exchangeLog().entries(0, coordinator.exchangeLog().size())) {
        if (entry.hasDecision()
            && entry.getDecision().hasSiteRevoked()
            && entry
                .getDecision()
                .getSiteRevoked()
                .getCertificateSerial()
                .equals(serial.toString(16))) {
          assertEquals("", entry.getStudyId());
          return entry.getDecision().getSiteRevoked();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no SiteRevoked for serial " + serial.toString(16) + " in the log");
  }
}
