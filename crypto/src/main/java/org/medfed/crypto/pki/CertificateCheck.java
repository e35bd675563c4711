package org.medfed.crypto.pki;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * Checks one certificate against the consortium CA, in the order that gives the most useful reason:
 * issuer, signature, validity period, then the holder's identity. Every refusal names the
 * certificate by subject and serial, so a log line says which certificate was refused and why.
 */
public final class CertificateCheck {
  private CertificateCheck() {}

  /**
   * Returns who the certificate names, if the consortium CA issued it and it is valid at {@code
   * now}.
   *
   * @throws PkiException if another CA issued it (or its signature does not verify with the CA's
   *     key), it has expired or is not yet valid, or it names no MedFed party
   */
  public static PartyIdentity verify(X509Certificate certificate, X509Certificate ca, Instant now)
      throws PkiException {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(now, "now");
    if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      throw new PkiException(
          describe(certificate)
              + " is not signed by the consortium CA \""
              + ca.getSubjectX500Principal().getName()
              + "\": its issuer is \""
              + certificate.getIssuerX500Principal().getName()
              + "\"");
    }
    try {
      certificate.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new PkiException(
          describe(certificate)
              + " is not signed by the consortium CA: its signature does not verify with the CA's"
              + " key",
          e);
    }
    Instant notAfter = certificate.getNotAfter().toInstant();
    Instant notBefore = certificate.getNotBefore().toInstant();
    if (now.isAfter(notAfter)) {
      throw new PkiException(describe(certificate) + " expired at " + notAfter);
    }
    if (now.isBefore(notBefore)) {
      throw new PkiException(describe(certificate) + " is not valid before " + notBefore);
    }
    try {
      return PartyIdentity.of(certificate);
    } catch (PkiException e) {
      throw new PkiException(describe(certificate) + " names no MedFed party: " + e.getMessage());
    }
  }

  /** {@code certificate serial <hex> ("<subject>")}: how refusals name a certificate. */
  public static String describe(X509Certificate certificate) {
    return "certificate serial "
        + certificate.getSerialNumber().toString(16)
        + " (\""
        + certificate.getSubjectX500Principal().getName()
        + "\")";
  }
}
