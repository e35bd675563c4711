package org.medfed.site.enrolment;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.medfed.crypto.pki.CertificateRequest;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PkiException;
import org.medfed.proto.v1.EnrolmentGrpc;
import org.medfed.proto.v1.RenewRequest;
import org.medfed.proto.v1.RenewResponse;
import org.medfed.site.federation.EgressLedger;
import org.medfed.site.federation.SiteChannels;
import org.medfed.site.federation.SiteCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the site's certificate before it expires, while the node keeps working: when two thirds of
 * the certificate's validity have passed, it generates a new key pair here, asks the coordinator
 * for a certificate over the mutual-TLS channel it already has, checks the answer, writes key and
 * certificate atomically and presents them from the next TLS handshake on. The channel is then told
 * to reconnect once its calls in flight are done, so no call and no round is dropped and the old
 * certificate stops being used long before it expires. A failed attempt is logged and retried
 * (every tenth of the remaining validity, between one second and one hour).
 */
public final class CertificateRenewal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateRenewal.class);
  private static final long DEADLINE_SECONDS = 30;
  private static final Duration MIN_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofHours(1);

  private final SiteCredentials credentials;
  private final ManagedChannel channel;
  private final EgressLedger ledger;
  private final Clock clock;
  private final Thread thread;
  private volatile int renewals;

  private CertificateRenewal(
      SiteCredentials credentials, ManagedChannel channel, EgressLedger ledger, Clock clock) {
    this.credentials = credentials;
    this.channel = channel;
    this.ledger = ledger;
    this.clock = clock;
    this.thread = Thread.ofPlatform().daemon().name("certificate-renewal").unstarted(this::loop);
  }

  /** Starts watching the credentials' certificate; {@link #close} stops it. */
  public static CertificateRenewal start(
      SiteCredentials credentials, ManagedChannel channel, EgressLedger ledger, Clock clock) {
    CertificateRenewal renewal = new CertificateRenewal(credentials, channel, ledger, clock);
    renewal.thread.start();
    return renewal;
  }

  /** When a certificate is due for renewal: two thirds into its validity. */
  public static Instant dueAt(X509Certificate certificate) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    return notBefore.plus(Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3));
  }

  /** How many renewals succeeded so far. */
  public int renewals() {
    return renewals;
  }

  private void loop() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        X509Certificate certificate = credentials.certificate();
        Instant due = dueAt(certificate);
        sleepUntil(due);
        try {
          renew(certificate);
          renewals++;
        } catch (RenewalFailure e) {
          Instant notAfter = certificate.getNotAfter().toInstant();
          Duration retry = retryAfter(notAfter);
          boolean expired = !clock.instant().isBefore(notAfter);
          (expired ? log.atError() : log.atWarn())
              .setMessage(
                  expired
                      ? "certificate expired before it could be renewed; enrol again with a new"
                          + " token"
                      : "certificate renewal failed; will retry")
              .addKeyValue("reason", e.getMessage())
              .addKeyValue("certificateSerial", certificate.getSerialNumber().toString(16))
              .addKeyValue("notAfter", notAfter)
              .addKeyValue("retryIn", retry)
              .log();
          sleepUntil(clock.instant().plus(retry));
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  /**
   * A tenth of the time left, between one second and an hour; an hour once the certificate has
   * expired, since the coordinator then refuses the connection a renewal needs (the site must enrol
   * again with a new token).
   */
  private Duration retryAfter(Instant notAfter) {
    if (!clock.instant().isBefore(notAfter)) {
      return MAX_RETRY;
    }
    Duration left = Duration.between(clock.instant(), notAfter).dividedBy(10);
    if (left.compareTo(MIN_RETRY) < 0) {
      return MIN_RETRY;
    }
    return left.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : left;
  }

  private void sleepUntil(Instant when) throws InterruptedException {
    while (true) {
      long millis = Duration.between(clock.instant(), when).toMillis();
      if (millis <= 0) {
        return;
      }
      Thread.sleep(Math.min(millis, 60_000));
    }
  }

  private void renew(X509Certificate current) throws RenewalFailure, InterruptedException {
    String site;
    try {
      site = PartyIdentity.of(current).name();
    } catch (PkiException e) {
      throw new RenewalFailure("the current certificate names no site: " + e.getMessage());
    }
    KeyPair keys = CertificateRequest.generateKeyPair();
    CertificateRequest request = CertificateRequest.create(site, keys);
    RenewResponse response;
    try {
      response =
          EnrolmentGrpc.newBlockingStub(SiteChannels.guarded(channel, ledger))
              .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
              .renew(
                  RenewRequest.newBuilder()
                      .setCertificateRequest(ByteString.copyFrom(request.encoded()))
                      .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.CANCELLED && Thread.interrupted()) {
        throw new InterruptedException();
      }
      throw new RenewalFailure(
          "the coordinator refused the renewal: "
              + e.getStatus().getCode()
              + " "
              + e.getStatus().getDescription());
    }
    IssuedCredential renewed;
    try {
      renewed =
          IssuedCertificates.accept(
              response.getCertificate(), credentials.ca(), site, keys, clock.instant());
    } catch (PkiException e) {
      throw new RenewalFailure("the renewal answer is unusable: " + e.getMessage());
    }
    try {
      credentials.replace(renewed);
    } catch (IOException e) {
      throw new RenewalFailure("cannot write the renewed key and certificate: " + e.getMessage());
    }
    // New calls go over a new connection (new handshake, new certificate); calls in flight finish
    // on the old one.
    channel.enterIdle();
    log.atInfo()
        .setMessage("certificate renewed")
        .addKeyValue("site", site)
        .addKeyValue("previousSerial", current.getSerialNumber().toString(16))
        .addKeyValue("certificateSerial", renewed.certificate().getSerialNumber().toString(16))
        .addKeyValue("notAfter", renewed.certificate().getNotAfter().toInstant())
        .log();
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class RenewalFailure extends Exception {
    private static final long serialVersionUID = 1L;

    RenewalFailure(String message) {
      super(message);
    }
  }
}
