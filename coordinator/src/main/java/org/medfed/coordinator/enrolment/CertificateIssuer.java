package org.medfed.coordinator.enrolment;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.medfed.coordinator.enrolment.EnrolmentException.Kind;
import org.medfed.coordinator.revocation.CertificateGate;
import org.medfed.coordinator.revocation.CertificateRefusal;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.CertificateRequest;
import org.medfed.crypto.pki.EnrolmentToken;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues site certificates for keys the sites generated themselves: a first certificate against a
 * one-time enrolment token ({@link #enrol}), and a replacement for a site that still holds a valid
 * certificate ({@link #renew}). Every check happens before anything is issued; a refusal issues
 * nothing and, except once the token has been spent, changes nothing.
 *
 * <p>The domain object behind the Enrolment gRPC service; it knows nothing of gRPC.
 */
public final class CertificateIssuer {
  private static final Logger log = LoggerFactory.getLogger(CertificateIssuer.class);

  private final ConsortiumDirectory directory;
  private final CertificateAuthority ca;
  private final CertificateGate gate;
  private final Duration validity;
  private final Clock clock;

  public CertificateIssuer(
      ConsortiumDirectory directory,
      CertificateAuthority ca,
      CertificateGate gate,
      Duration validity,
      Clock clock) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.ca = Objects.requireNonNull(ca, "ca");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.validity = Objects.requireNonNull(validity, "validity");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("certificate validity must be positive");
    }
  }

  public CertificateAuthority ca() {
    return ca;
  }

  /**
   * A new site's first certificate: the token must be the outstanding, unexpired one of the site
   * the request names. The token is spent only when everything checks out.
   *
   * @throws EnrolmentException naming the reason: malformed token or request, a bad self-signature,
   *     a request for another site than the token's, a token already used, expired, replaced or
   *     altered, or a site that is not a member
   * @throws IOException if the consortium directory cannot be read or written
   */
  public X509Certificate enrol(String tokenText, byte[] requestDer)
      throws EnrolmentException, IOException {
    EnrolmentToken token;
    try {
      token = EnrolmentToken.parse(tokenText);
    } catch (PkiException e) {
      throw refuse(Kind.MALFORMED, null, e.getMessage());
    }
    CertificateRequest request = request(requestDer, token.siteId());
    if (!request.siteId().equals(token.siteId())) {
      throw refuse(
          Kind.MALFORMED,
          token.siteId(),
          "the certificate request names site \""
              + request.siteId()
              + "\", but the enrolment token was issued for site \""
              + token.siteId()
              + "\"");
    }
    String site = token.siteId();
    return locked(
        () -> {
          Instant now = clock.instant();
          Optional<EnrolmentToken.Digest> outstanding = directory.outstandingToken(site);
          Optional<Instant> used = directory.usedAt(token);
          if (used.isPresent()) {
            throw unchecked(
                refuse(
                    Kind.DENIED,
                    site,
                    "this enrolment token for site \""
                        + site
                        + "\" was already used at "
                        + used.get()
                        + "; ask the consortium for a new one"));
          }
          if (outstanding.isEmpty()) {
            throw unchecked(
                refuse(
                    Kind.DENIED,
                    site,
                    "site \""
                        + site
                        + "\" has no outstanding enrolment token (it was withdrawn or the site"
                        + " was removed); ask the consortium for a new one"));
          }
          try {
            outstanding.get().verify(token, now);
          } catch (PkiException e) {
            throw unchecked(refuse(Kind.DENIED, site, e.getMessage()));
          }
          if (!directory.isMember(site)) {
            throw unchecked(
                refuse(
                    Kind.DENIED, site, "site \"" + site + "\" is not a member of the consortium"));
          }
          directory.consumeToken(outstanding.get(), now);
          return issue(request, "enrol", now);
        });
  }

  /**
   * A replacement certificate for a new key of a site that holds a valid certificate.
   *
   * @param current the caller's certificate, as the TLS handshake verified it (checked again here:
   *     issuer, validity, identity and revocation)
   * @throws EnrolmentException naming the reason: the current certificate is not a valid, unrevoked
   *     site certificate, the site is no longer a member, or the request is malformed, names
   *     another site, or reuses the current key
   * @throws IOException if the consortium directory cannot be read or written
   */
  public X509Certificate renew(X509Certificate current, byte[] requestDer)
      throws EnrolmentException, IOException {
    PartyIdentity identity;
    try {
      identity = gate.checkHandshake(current);
    } catch (CertificateRefusal e) {
      throw refuse(e.revoked() ? Kind.DENIED : Kind.UNAUTHENTICATED, null, e.getMessage());
    }
    if (identity.role() != PartyRole.SITE) {
      throw refuse(
          Kind.UNAUTHENTICATED,
          null,
          "only a site certificate can be renewed, not the certificate of '"
              + identity.name()
              + "'");
    }
    String site = identity.name();
    CertificateRequest request = request(requestDer, site);
    if (!request.siteId().equals(site)) {
      throw refuse(
          Kind.MALFORMED,
          site,
          "the certificate request names site \""
              + request.siteId()
              + "\", but the caller's certificate is for site \""
              + site
              + "\"");
    }
    if (Arrays.equals(request.publicKey().getEncoded(), current.getPublicKey().getEncoded())) {
      throw refuse(
          Kind.MALFORMED,
          site,
          "a renewal must certify a new key, but the request reuses the current certificate's key");
    }
    return locked(
        () -> {
          if (!directory.isMember(site)) {
            throw unchecked(
                refuse(
                    Kind.DENIED,
                    site,
                    "site \"" + site + "\" is no longer a member of the consortium"));
          }
          return issue(request, "renew", clock.instant());
        });
  }

  private CertificateRequest request(byte[] der, String site) throws EnrolmentException {
    try {
      return CertificateRequest.parse(der);
    } catch (PkiException e) {
      throw refuse(Kind.MALFORMED, site, e.getMessage());
    }
  }

  private X509Certificate issue(CertificateRequest request, String how, Instant now)
      throws IOException {
    X509Certificate certificate = ca.issueSite(request, validity);
    directory.recordIssued(certificate, request.siteId(), how, now);
    log.atInfo()
        .setMessage("site certificate issued")
        .addKeyValue("site", request.siteId())
        .addKeyValue("how", how)
        .addKeyValue("certificateSerial", certificate.getSerialNumber().toString(16))
        .addKeyValue("notAfter", certificate.getNotAfter().toInstant())
        .log();
    return certificate;
  }

  private static EnrolmentException refuse(Kind kind, String site, String reason) {
    log.atWarn()
        .setMessage("certificate request refused; nothing issued")
        .addKeyValue("site", site == null ? "unknown" : site)
        .addKeyValue("reason", reason)
        .log();
    return new EnrolmentException(kind, reason);
  }

  private <T> T locked(ConsortiumDirectory.IoAction<T> action)
      throws EnrolmentException, IOException {
    try {
      return directory.locked(action);
    } catch (RefusalInLock e) {
      throw (EnrolmentException) e.getCause();
    }
  }

  /** Carries a refusal out of a locked section, whose action may only throw IOException. */
  private static RefusalInLock unchecked(EnrolmentException e) {
    return new RefusalInLock(e);
  }

  private static final class RefusalInLock extends IOException {
    private static final long serialVersionUID = 1L;

    RefusalInLock(EnrolmentException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
