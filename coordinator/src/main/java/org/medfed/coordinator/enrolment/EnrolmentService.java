package org.medfed.coordinator.enrolment;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.medfed.coordinator.federation.CallerCertificate;
import org.medfed.proto.v1.EnrolRequest;
import org.medfed.proto.v1.EnrolResponse;
import org.medfed.proto.v1.EnrolmentGrpc;
import org.medfed.proto.v1.RenewRequest;
import org.medfed.proto.v1.RenewResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Enrolment gRPC service: a thin adapter over {@link CertificateIssuer}. Refusals cross the
 * wire as a status with the issuer's one-sentence reason (see enrolment.proto's error model).
 */
final class EnrolmentService extends EnrolmentGrpc.EnrolmentImplBase {
  private static final Logger log = LoggerFactory.getLogger(EnrolmentService.class);

  private final CertificateIssuer issuer;

  EnrolmentService(CertificateIssuer issuer) {
    this.issuer = issuer;
  }

  @Override
  public void enrol(EnrolRequest request, StreamObserver<EnrolResponse> response) {
    try {
      X509Certificate certificate =
          issuer.enrol(request.getToken(), request.getCertificateRequest().toByteArray());
      response.onNext(
          EnrolResponse.newBuilder()
              .setCertificate(der(certificate))
              .setCaCertificate(der(issuer.ca().certificate()))
              .build());
      response.onCompleted();
    } catch (EnrolmentException e) {
      response.onError(status(e).asRuntimeException());
    } catch (IOException | RuntimeException e) {
      response.onError(internal(e).asRuntimeException());
    }
  }

  @Override
  public void renew(RenewRequest request, StreamObserver<RenewResponse> response) {
    Optional<X509Certificate> caller = CallerCertificate.current();
    if (caller.isEmpty()) {
      // The identity interceptor refuses this before it gets here; kept as a second line.
      response.onError(
          Status.UNAUTHENTICATED
              .withDescription("renewal needs the site's current certificate (mutual TLS)")
              .asRuntimeException());
      return;
    }
    try {
      X509Certificate certificate =
          issuer.renew(caller.get(), request.getCertificateRequest().toByteArray());
      response.onNext(
          RenewResponse.newBuilder()
              .setCertificate(der(certificate))
              .setCaCertificate(der(issuer.ca().certificate()))
              .build());
      response.onCompleted();
    } catch (EnrolmentException e) {
      response.onError(status(e).asRuntimeException());
    } catch (IOException | RuntimeException e) {
      response.onError(internal(e).asRuntimeException());
    }
  }

  private static Status status(EnrolmentException e) {
    Status status =
        switch (e.kind()) {
          case MALFORMED -> Status.INVALID_ARGUMENT;
          case DENIED -> Status.PERMISSION_DENIED;
          case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
        };
    return status.withDescription(e.getMessage());
  }

  private static Status internal(Exception e) {
    log.atError().setMessage("certificate issuance failed").setCause(e).log();
    return Status.INTERNAL.withDescription(
        "the coordinator cannot issue certificates right now; nothing was issued");
  }

  private static ByteString der(X509Certificate certificate) {
    try {
      return ByteString.copyFrom(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("an issued certificate cannot be encoded", e);
    }
  }
}
