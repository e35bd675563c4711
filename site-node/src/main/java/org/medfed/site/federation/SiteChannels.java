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
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;
import org.medfed.site.config.ConfigException;
import org.medfed.site.config.TlsFiles;

/** Builds the site's only network path: an outbound mutual-TLS 1.3 channel to the coordinator. */
public final class SiteChannels {
  private SiteChannels() {}

  /** Opens the channel; unreadable or malformed TLS files stop the site before it connects. */
  public static ManagedChannel open(String coordinatorAddress, TlsFiles tls, MessageChain chain)
      throws ConfigException {
    return open(coordinatorAddress, SiteCredentials.load(tls), chain);
  }

  /**
   * Opens the mutual-TLS channel with a replaceable identity: every new TLS connection presents the
   * credentials' current certificate, so a renewed certificate is used without a restart. Every
   * message is signed, naming the previous logged one in {@code chain}.
   */
  public static ManagedChannel open(
      String coordinatorAddress, SiteCredentials credentials, MessageChain chain)
      throws ConfigException {
    SslContext ssl;
    try {
      ssl =
          GrpcSslContexts.configure(
                  io.netty.handler.ssl.SslContextBuilder.forClient()
                      .keyManager(credentials.keyManager())
                      .trustManager(credentials.ca())
                      .protocols("TLSv1.3"),
                  SslProvider.JDK)
              .build();
    } catch (IOException e) {
      throw new ConfigException("cannot set up TLS: " + e.getMessage());
    }
    // A resumed TLS session carries the certificate of the handshake that created it: after a
    // renewal, only full handshakes may follow.
    credentials.onReplace(() -> forgetSessions(ssl.sessionContext()));
    return NettyChannelBuilder.forTarget(coordinatorAddress)
        .sslContext(ssl)
        .maxInboundMessageSize(4 * 1024 * 1024)
        // Every message carries the site's own signature, which the exchange log keeps.
        .intercept(new MessageSigning(credentials::current, chain))
        .build();
  }

  private static void forgetSessions(SSLSessionContext sessions) {
    if (sessions == null) {
      return;
    }
    for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
      SSLSession session = sessions.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  /**
   * Opens a channel that authenticates the coordinator only, for a site that has no certificate
   * yet: its one use is to enrol. The coordinator must present a certificate from {@code ca} that
   * names the address's host.
   */
  public static ManagedChannel openForEnrolment(String coordinatorAddress, X509Certificate ca)
      throws ConfigException {
    SslContext ssl;
    try {
      ssl =
          GrpcSslContexts.configure(
                  io.netty.handler.ssl.SslContextBuilder.forClient()
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
  public static io.grpc.Channel guarded(ManagedChannel channel, EgressLedger ledger) {
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
