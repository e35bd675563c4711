package org.medfed.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.Pem;
import org.medfed.proto.v1.FederationGrpc;
import org.medfed.proto.v1.JoinRequest;
import org.medfed.site.federation.MessageChain;
import org.medfed.site.federation.SiteChannels;

/** Only holders of a site certificate from the consortium CA get through the TLS handshake. */
@Timeout(60)
class MutualTlsIT {
  @TempDir Path dir;

  @Test
  void siteWithConsortiumCertificateJoinsUnderItsCertificateName() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(1, 1, "5s", "stop"), 0);
        RawSite site = new RawSite(network.channel("hungary", coordinator.grpcPort()))) {
      assertEquals("hungary", site.stub.join(JoinRequest.getDefaultInstance()).getSiteId());
    }
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(1, 1, "5s", "stop"), 0)) {
      ManagedChannel anonymous =
          tlsChannel(
              coordinator.grpcPort(),
              SslContextBuilder.forClient().trustManager(network.ca.certificate()));
      try {
        StatusRuntimeException refused =
            assertThrows(StatusRuntimeException.class, () -> join(anonymous));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      } finally {
        anonymous.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void clientWithCertificateFromAnotherCaIsRefused() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    CertificateAuthority rogue = CertificateAuthority.create("rogue", Duration.ofDays(1));
    try (CoordinatorNode coordinator = network.coordinator(network.study(1, 1, "5s", "stop"), 0)) {
      // Same site name, same trusted coordinator: only the issuer differs.
      ManagedChannel impostor =
          SiteChannels.open(
              "localhost:" + coordinator.grpcPort(),
              network.kit("cleveland", rogue),
              MessageChain.in(network.stateDir("cleveland-impostor")));
      try {
        StatusRuntimeException refused =
            assertThrows(StatusRuntimeException.class, () -> join(impostor));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertTrue(
            coordinator.engine().view().checkpoint().enrolment().values().stream()
                .allMatch(
                    e -> e.status() == org.medfed.coordinator.round.Enrolment.Status.INVITED));
      } finally {
        impostor.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void coordinatorCertificateCannotActAsASite() throws Exception {
    TestNetwork network = new TestNetwork(dir);
    try (CoordinatorNode coordinator = network.coordinator(network.study(1, 1, "5s", "stop"), 0)) {
      ManagedChannel coordinatorAsClient =
          tlsChannel(
              coordinator.grpcPort(),
              SslContextBuilder.forClient()
                  .keyManager(
                      Pem.parsePrivateKey(Files.readString(dir.resolve("coordinator.key.pem"))),
                      Pem.parseCertificate(Files.readString(dir.resolve("coordinator.crt.pem"))))
                  .trustManager(network.ca.certificate()));
      try {
        StatusRuntimeException refused =
            assertThrows(StatusRuntimeException.class, () -> join(coordinatorAsClient));
        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("not a site certificate"));
      } finally {
        coordinatorAsClient.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static ManagedChannel tlsChannel(int port, SslContextBuilder ssl) throws Exception {
    return NettyChannelBuilder.forTarget("localhost:" + port)
        .sslContext(GrpcSslContexts.configure(ssl.protocols("TLSv1.3"), SslProvider.JDK).build())
        .build();
  }

  private static void join(ManagedChannel channel) {
    FederationGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .join(JoinRequest.getDefaultInstance());
  }
}
