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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.round.RoundEngine;

/**
 * The coordinator's gRPC endpoint: TLS 1.3 only, client certificates required and verified against
 * the consortium CA. Long polls park virtual threads, so a slow site costs no platform thread.
 */
public final class FederationServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService executor;

  private FederationServer(Server server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static FederationServer start(
      InetSocketAddress address,
      TlsMaterial tls,
      RoundEngine engine,
      ExchangeLog exchangeLog,
      int maxChunkElements)
      throws IOException {
    SslContext ssl =
        GrpcSslContexts.configure(
                SslContextBuilder.forServer(tls.privateKey(), tls.certificate())
                    .trustManager(tls.ca())
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3"),
                SslProvider.JDK)
            .build();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    Server server =
        NettyServerBuilder.forAddress(address)
            .sslContext(ssl)
            .executor(executor)
            // Chunks are at most a few hundred KiB; anything near 4 MiB is a misbehaving peer.
            .maxInboundMessageSize(4 * 1024 * 1024)
            .addService(
                ServerInterceptors.intercept(
                    new FederationService(
                        engine,
                        exchangeLog,
                        tls.name(),
                        encoded(tls.certificate()),
                        maxChunkElements),
                    new SiteIdentityInterceptor()))
            .build()
            .start();
    return new FederationServer(server, executor);
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
  }
}
