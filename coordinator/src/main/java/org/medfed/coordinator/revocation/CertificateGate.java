package org.medfed.coordinator.revocation;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.medfed.crypto.pki.CertificateCheck;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.pki.Revocation;

/**
 * Decides whether a peer certificate may be used now: issued by the consortium CA, within its
 * validity period, naming a MedFed party, and not revoked. The TLS handshake asks it once per
 * connection ({@link #checkHandshake}); every call asks again for what can change while a
 * connection stays open ({@link #checkCall}: expiry and revocation).
 */
public final class CertificateGate {
  private final X509Certificate ca;
  private final RevocationWatcher revocations;
  private final Clock clock;

  public CertificateGate(X509Certificate ca, RevocationWatcher revocations, Clock clock) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.revocations = Objects.requireNonNull(revocations, "revocations");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public X509Certificate ca() {
    return ca;
  }

  /** The full check, for a certificate presented in a TLS handshake. */
  public PartyIdentity checkHandshake(X509Certificate certificate) throws CertificateRefusal {
    PartyIdentity identity;
    try {
      identity = CertificateCheck.verify(certificate, ca, clock.instant());
    } catch (PkiException e) {
      throw new CertificateRefusal(e.getMessage(), false);
    }
    checkRevocation(certificate, identity);
    return identity;
  }

  /**
   * The check for each call on a connection whose handshake already verified the certificate: it
   * may have expired or been revoked since.
   */
  public PartyIdentity checkCall(X509Certificate certificate) throws CertificateRefusal {
    PartyIdentity identity;
    try {
      identity = PartyIdentity.of(certificate);
    } catch (PkiException e) {
      throw new CertificateRefusal(
          CertificateCheck.describe(certificate) + " names no MedFed party: " + e.getMessage(),
          false);
    }
    Instant now = clock.instant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      throw new CertificateRefusal(
          CertificateCheck.describe(certificate) + " expired at " + notAfter, false);
    }
    checkRevocation(certificate, identity);
    return identity;
  }

  private void checkRevocation(X509Certificate certificate, PartyIdentity identity)
      throws CertificateRefusal {
    Optional<Revocation> revocation = revocations.revocationOf(certificate);
    if (revocation.isPresent()) {
      Revocation r = revocation.get();
      throw new CertificateRefusal(
          CertificateCheck.describe(certificate)
              + " of "
              + identity.role().organizationalUnit()
              + " \""
              + identity.name()
              + "\" was revoked by the consortium at "
              + r.revokedAt()
              + ": "
              + r.reason(),
          true);
    }
  }
}
