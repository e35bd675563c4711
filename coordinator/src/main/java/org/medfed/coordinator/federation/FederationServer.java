package org.medfed.coordinator.federation;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.revocation.CertificateGate;
import org.medfed.coordinator.revocation.ConsortiumTrustManager;
import org.medfed.coordinator.revocation.RevocationWatcher;
import org.medfed.coordinator.round.RoundEngine;

/**
 * The coordinator's gRPC endpoint: TLS 1.3 only, client certificates verified against the
 * consortium CA and its revocation list at the handshake and at every call. Long polls park virtual
 * threads, so a slow site costs no platform thread.
 */
public final class FederationServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService executor;
  private final AutoCloseable onClose;

  private FederationServer(Server server, ExecutorService executor, AutoCloseable onClose) {
    this.server = server;
    this.executor = executor;
    this.onClose = onClose;
  }

  /** Starts the endpoint with client certificates required and no revocation list. */
  public static FederationServer start(
      InetSocketAddress address,
      TlsMaterial tls,
      RoundEngine engine,
      ExchangeLog exchangeLog,
      int maxChunkElements)
      throws IOException {
    return start(
        address,
        tls,
        engine,
        exchangeLog,
        maxChunkElements,
        new CertificateLifecycle(
            new CertificateGate(tls.ca(), RevocationWatcher.none(), Clock.systemUTC()),
            List.of(),
            Set.of(),
            () -> {}));
  }

  /**
   * Starts the endpoint. Every client certificate passes {@code lifecycle}'s gate in the handshake
   * (refusals are logged with the certificate and the reason) and again at every call. Client
   * certificates are required in the handshake unless the lifecycle names methods a client may call
   * without one; then they are requested, and the identity interceptor, applied to every service,
   * refuses every other method without a certificate.
   */
  public static FederationServer start(
      InetSocketAddress address,
      TlsMaterial tls,
      RoundEngine engine,
      ExchangeLog exchangeLog,
      int maxChunkElements,
      CertificateLifecycle lifecycle)
      throws IOException {
    SslContext ssl =
        GrpcSslContexts.configure(
                SslContextBuilder.forServer(tls.privateKey(), tls.certificate())
                    .trustManager(new ConsortiumTrustManager(lifecycle.gate()))
                    .clientAuth(
                        lifecycle.anonymousMethods().isEmpty()
                            ? ClientAuth.REQUIRE
                            : ClientAuth.OPTIONAL)
                    .protocols("TLSv1.3"),
                SslProvider.JDK)
            .build();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    SenderSignatures signatures =
        new SenderSignatures(tls.ca(), java.time.Clock.systemUTC(), exchangeLog);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(address)
            .sslContext(ssl)
            .executor(executor)
            // Chunks are at most a few hundred KiB; anything near 4 MiB is a misbehaving peer.
            .maxInboundMessageSize(4 * 1024 * 1024)
            // On every service, present and future: no call gets past it without its say.
            .intercept(new SiteIdentityInterceptor(lifecycle.gate(), lifecycle.anonymousMethods()))
            .addService(
                ServerInterceptors.intercept(
                    new FederationService(
                        engine,
                        exchangeLog,
                        tls.name(),
                        encoded(tls.certificate()),
                        maxChunkElements,
                        signatures),
                    signatures));
    lifecycle.services().forEach(builder::addService);
    Server server = builder.build().start();
    return new FederationServer(server, executor, lifecycle.onClose());
  }

  private static ByteString encoded(X509Certificate certificate) throws IOException {
    try {
      return ByteString.copyFrom(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IOException("cannot encode the coordinator certificate", e);
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      // Long polls would otherwise hold shutdown for their full wait.
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    executor.shutdownNow();
    try {
      onClose.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot release the certificate lifecycle", e);
    }
  }
}
