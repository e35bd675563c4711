package org.medfed.coordinator.federation;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.round.ProtocolException;
import org.medfed.crypto.pki.CertificateCheck;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.crypto.sign.Signatures;
import org.medfed.proto.v1.CoordinatorDecision;
import org.medfed.proto.v1.SiteCertified;

/**
 * Checks each site message's own signature before the coordinator acts on it, and puts the signing
 * certificate into the exchange log (once per certificate) before the first entry it signs. A
 * message without a valid signature by a consortium certificate of the calling site is refused: the
 * log then holds, for every accepted site message, proof that the site sent it.
 *
 * <p>A site signs a {@code medfed-message-v2} statement that names its previous logged statement
 * (sent as {@code medfed-previous-bin}). Once the entry for a call is on disk, the answer to that
 * call carries the logged statement's SHA-256 in the {@code medfed-logged-bin} trailer: that is the
 * only way a site learns which of its messages the log holds (a refusal may or may not be logged,
 * and an incomplete upload is answered OK without an entry), so it is what advances the site's
 * chain. The coordinator does not check that {@code previous} names an entry of this site: a site
 * that lost its state starts a new chain, and one restored from a backup forks an old one, and
 * refusing either would cut the site off. Whatever the site signed is logged as signed; the auditor
 * sees a chain that names a statement the log does not hold.
 */
final class SenderSignatures implements ServerInterceptor {
  static final Metadata.Key<byte[]> SIGNATURE =
      Metadata.Key.of("medfed-signature-bin", Metadata.BINARY_BYTE_MARSHALLER);
  static final Metadata.Key<byte[]> CERTIFICATE =
      Metadata.Key.of("medfed-signer-certificate-bin", Metadata.BINARY_BYTE_MARSHALLER);
  static final Metadata.Key<byte[]> PREVIOUS =
      Metadata.Key.of("medfed-previous-bin", Metadata.BINARY_BYTE_MARSHALLER);
  static final Metadata.Key<byte[]> LOGGED =
      Metadata.Key.of("medfed-logged-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final Context.Key<byte[]> SIGNATURE_OF_CALL = Context.key("medfed-signature");
  private static final Context.Key<byte[]> CERTIFICATE_OF_CALL =
      Context.key("medfed-signer-certificate");
  private static final Context.Key<byte[]> PREVIOUS_OF_CALL = Context.key("medfed-previous");
  private static final Context.Key<AtomicReference<byte[]>> LOGGED_OF_CALL =
      Context.key("medfed-logged");

  private final X509Certificate ca;
  private final Clock clock;
  private final ExchangeLog exchangeLog;
  private final Map<String, byte[]> loggedCertificate = new ConcurrentHashMap<>();

  SenderSignatures(X509Certificate ca, Clock clock, ExchangeLog exchangeLog) {
    this.ca = ca;
    this.clock = clock;
    this.exchangeLog = exchangeLog;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    AtomicReference<byte[]> logged = new AtomicReference<>();
    Context context =
        Context.current()
            .withValue(SIGNATURE_OF_CALL, headers.get(SIGNATURE))
            .withValue(CERTIFICATE_OF_CALL, headers.get(CERTIFICATE))
            .withValue(PREVIOUS_OF_CALL, headers.get(PREVIOUS))
            .withValue(LOGGED_OF_CALL, logged);
    ServerCall<Q, R> acknowledging =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            byte[] statement = logged.get();
            if (statement != null) {
              trailers.put(LOGGED, statement);
            }
            super.close(status, trailers);
          }
        };
    return Contexts.interceptCall(context, acknowledging, headers, next);
  }

  /**
   * Tells the site, in the current call's trailers, that its signed statement is in the log: call
   * it after the entry was appended (appending returns once it is on disk). Nothing for {@link
   * SiteSignature#NONE}.
   */
  void logged(SiteSignature signature) {
    AtomicReference<byte[]> logged = LOGGED_OF_CALL.get();
    if (signature.isPresent() && logged != null) {
      logged.set(signature.statementSha256().toByteArray());
    }
  }

  /**
   * Verifies the current call's signature over the message's statement and returns it for the log
   * entry.
   *
   * @throws ProtocolException (UNSIGNED) if the signature or its link to the previous statement is
   *     missing, not by a current consortium certificate of this site, or not over this message
   */
  SiteSignature verify(String site, String rpc, byte[] payloadSha256) throws ProtocolException {
    byte[] signature = SIGNATURE_OF_CALL.get();
    byte[] der = CERTIFICATE_OF_CALL.get();
    byte[] previous = PREVIOUS_OF_CALL.get();
    if (signature == null || der == null) {
      throw unsigned(rpc + " carries no sender signature; sites sign every message they send");
    }
    if (previous == null || previous.length != MessageStatement.HASH_BYTES) {
      throw unsigned(
          rpc
              + " carries no 32-byte medfed-previous-bin; sites sign medfed-message-v2 statements"
              + " that name their previous one");
    }
    X509Certificate certificate;
    try {
      certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw unsigned("the signing certificate of " + rpc + " is not DER X.509");
    }
    try {
      PartyIdentity identity = CertificateCheck.verify(certificate, ca, clock.instant());
      if (identity.role() != PartyRole.SITE || !identity.name().equals(site)) {
        throw unsigned(
            rpc + " is signed by " + identity.name() + ", not by the calling site " + site);
      }
    } catch (PkiException e) {
      throw unsigned("the signing certificate of " + rpc + " is refused: " + e.getMessage());
    }
    boolean valid;
    byte[] statement = null;
    try {
      statement = MessageStatement.of(rpc, payloadSha256, previous);
      valid = Signatures.verifier(certificate).verify(signature, statement);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      valid = false;
    }
    if (!valid) {
      throw unsigned("the sender signature of " + rpc + " does not match the message");
    }
    certify(site, der);
    return new SiteSignature(
        ByteString.copyFrom(signature),
        ByteString.copyFrom(previous),
        ByteString.copyFrom(MessageStatement.link(statement)));
  }

  private void certify(String site, byte[] der) {
    loggedCertificate.compute(
        site,
        (name, logged) -> {
          if (logged != null && Arrays.equals(logged, der)) {
            return logged;
          }
          exchangeLog.recordDecision(
              "",
              0,
              CoordinatorDecision.newBuilder()
                  .setSiteCertified(
                      SiteCertified.newBuilder()
                          .setSite(site)
                          .setCertificate(ByteString.copyFrom(der)))
                  .build());
          return der.clone();
        });
  }

  private static ProtocolException unsigned(String message) {
    return new ProtocolException(ProtocolException.Kind.UNSIGNED, message);
  }
}
