package org.medfed.site.federation;

import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;
import org.medfed.site.config.ConfigException;
import org.medfed.site.config.TlsFiles;

/** Builds the site's only network path: an outbound mutual-TLS 1.3 channel to the coordinator. */
public final class SiteChannels {
  private SiteChannels() {}

  /** Opens the channel; unreadable or malformed TLS files stop the site before it connects. */
  public static ManagedChannel open(String coordinatorAddress, TlsFiles tls)
      throws ConfigException {
    X509Certificate certificate = certificate(tls.certificate(), "tls.certificate");
    X509Certificate ca = certificate(tls.caCertificate(), "tls.ca-certificate");
    PrivateKey key;
    try {
      key = Pem.parsePrivateKey(read(tls.privateKey(), "tls.private-key"));
    } catch (PkiException e) {
      throw new ConfigException(
          "tls.private-key " + tls.privateKey() + " is unusable: " + e.getMessage());
    }
    SslContext ssl;
    try {
      ssl =
          GrpcSslContexts.configure(
                  io.netty.handler.ssl.SslContextBuilder.forClient()
                      .keyManager(key, certificate)
                      .trustManager(ca)
                      .protocols("TLSv1.3"),
                  SslProvider.JDK)
              .build();
    } catch (IOException e) {
      throw new ConfigException("cannot set up TLS: " + e.getMessage());
    }
    return NettyChannelBuilder.forTarget(coordinatorAddress)
        .sslContext(ssl)
        .maxInboundMessageSize(4 * 1024 * 1024)
        .build();
  }

  /** The channel as the site's code may use it: every call passes the egress guard. */
  static io.grpc.Channel guarded(ManagedChannel channel, EgressLedger ledger) {
    return ClientInterceptors.intercept(channel, new EgressGuard(ledger));
  }

  /** Reads one PEM certificate; a missing or malformed file is one sentence naming the setting. */
  public static X509Certificate certificate(Path file, String setting) throws ConfigException {
    try {
      return Pem.parseCertificate(read(file, setting));
    } catch (PkiException e) {
      throw new ConfigException(setting + " " + file + " is unusable: " + e.getMessage());
    }
  }

  private static String read(Path file, String setting) throws ConfigException {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(setting + " " + file + " cannot be read: " + e.getMessage());
    }
  }
}
