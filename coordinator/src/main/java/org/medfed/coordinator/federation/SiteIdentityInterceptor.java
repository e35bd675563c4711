package org.medfed.coordinator.federation;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.medfed.coordinator.revocation.CertificateGate;
import org.medfed.coordinator.revocation.CertificateRefusal;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the caller from its verified client certificate, and only from it: no request field can
 * claim to be another site. Applied to every service on the endpoint, it refuses by default: a call
 * proceeds only with a site certificate that is still valid and not revoked at the time of the call
 * (not just at the handshake, since a connection outlives both), or when its method is one of the
 * few a client may call without a certificate (Enrol). A revoked certificate is refused with
 * PERMISSION_DENIED, a missing, expired or unnamed one with UNAUTHENTICATED.
 */
final class SiteIdentityInterceptor implements ServerInterceptor {
  static final Context.Key<String> SITE = Context.key("medfed-site-id");
  private static final Logger log = LoggerFactory.getLogger(SiteIdentityInterceptor.class);

  private final CertificateGate gate;
  private final Set<String> anonymousMethods;

  SiteIdentityInterceptor(CertificateGate gate, Set<String> anonymousMethods) {
    this.gate = gate;
    this.anonymousMethods = Set.copyOf(anonymousMethods);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Status refusal;
    X509Certificate peer = null;
    if (session == null) {
      refusal = Status.UNAUTHENTICATED.withDescription("mutual TLS is required");
    } else {
      try {
        Certificate[] chain = session.getPeerCertificates();
        peer = chain[0] instanceof X509Certificate x509 ? x509 : null;
      } catch (SSLPeerUnverifiedException e) {
        peer = null; // the handshake made a client certificate optional and none came
      }
      if (peer == null) {
        if (anonymousMethods.contains(method)) {
          return next.startCall(call, headers);
        }
        refusal =
            Status.UNAUTHENTICATED.withDescription(
                "this call needs a client certificate from the consortium CA, and the connection"
                    + " presented none");
      } else {
        try {
          PartyIdentity identity = gate.checkCall(peer);
          if (identity.role() == PartyRole.SITE) {
            Context context =
                Context.current()
                    .withValue(SITE, identity.name())
                    .withValue(CallerCertificate.KEY, peer);
            return Contexts.interceptCall(context, call, headers, next);
          }
          refusal =
              Status.PERMISSION_DENIED.withDescription(
                  "certificate of '" + identity.name() + "' is not a site certificate");
        } catch (CertificateRefusal e) {
          refusal =
              (e.revoked() ? Status.PERMISSION_DENIED : Status.UNAUTHENTICATED)
                  .withDescription(e.getMessage());
        }
      }
    }
    var event =
        log.atWarn()
            .setMessage("call refused")
            .addKeyValue("method", method)
            .addKeyValue("status", refusal.getCode())
            .addKeyValue("reason", refusal.getDescription());
    if (peer != null) {
      event = event.addKeyValue("certificateSerial", peer.getSerialNumber().toString(16));
    }
    event.log();
    call.close(refusal, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
