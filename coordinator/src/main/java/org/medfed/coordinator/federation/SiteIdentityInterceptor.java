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
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the caller from its verified client certificate, and only from it: no request field can
 * claim to be another site. Calls without a site certificate never reach the service.
 */
final class SiteIdentityInterceptor implements ServerInterceptor {
  static final Context.Key<String> SITE = Context.key("medfed-site-id");
  private static final Logger log = LoggerFactory.getLogger(SiteIdentityInterceptor.class);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Status refusal;
    if (session == null) {
      refusal = Status.UNAUTHENTICATED.withDescription("mutual TLS is required");
    } else {
      try {
        Certificate[] chain = session.getPeerCertificates();
        PartyIdentity identity = PartyIdentity.of((X509Certificate) chain[0]);
        if (identity.role() == PartyRole.SITE) {
          Context context = Context.current().withValue(SITE, identity.name());
          return Contexts.interceptCall(context, call, headers, next);
        }
        refusal =
            Status.PERMISSION_DENIED.withDescription(
                "certificate of '" + identity.name() + "' is not a site certificate");
      } catch (SSLPeerUnverifiedException | PkiException | ClassCastException e) {
        refusal =
            Status.UNAUTHENTICATED.withDescription(
                "the client certificate names no MedFed site: " + e.getMessage());
      }
    }
    log.atWarn()
        .setMessage("call refused")
        .addKeyValue("method", call.getMethodDescriptor().getFullMethodName())
        .addKeyValue("status", refusal.getCode())
        .addKeyValue("reason", refusal.getDescription())
        .log();
    call.close(refusal, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
