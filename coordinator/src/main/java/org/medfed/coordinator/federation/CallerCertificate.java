package org.medfed.coordinator.federation;

import io.grpc.Context;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The verified client certificate of the call being served, as the identity interceptor found it in
 * the TLS session; empty for the one call a client may make without a certificate (Enrol).
 */
public final class CallerCertificate {
  static final Context.Key<X509Certificate> KEY = Context.key("medfed-peer-certificate");

  private CallerCertificate() {}

  public static Optional<X509Certificate> current() {
    return Optional.ofNullable(KEY.get());
  }
}
