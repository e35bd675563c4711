package org.medfed.coordinator.federation;

import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.medfed.coordinator.revocation.CertificateGate;

/**
 * How the gRPC endpoint treats client certificates beyond the consortium CA: the gate that checks
 * each handshake and each call (expiry, revocation), the services that issue certificates, and the
 * RPCs a client may call without a certificate.
 *
 * @param gate decides on every presented certificate
 * @param services further services on the same port (the enrolment service), behind the same
 *     identity interceptor as Federation
 * @param anonymousMethods full method names a client without a certificate may call; when not
 *     empty, the handshake asks for a client certificate but does not require one, and the
 *     interceptor refuses every other method without one
 * @param onClose released when the endpoint closes (the revocation list watcher)
 */
public record CertificateLifecycle(
    CertificateGate gate,
    List<ServerServiceDefinition> services,
    Set<String> anonymousMethods,
    AutoCloseable onClose) {

  public CertificateLifecycle {
    Objects.requireNonNull(gate, "gate");
    services = List.copyOf(services);
    anonymousMethods = Set.copyOf(anonymousMethods);
    Objects.requireNonNull(onClose, "onClose");
  }
}
