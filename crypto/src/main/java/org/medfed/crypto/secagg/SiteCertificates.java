package org.medfed.crypto.secagg;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.sign.Signatures;

/**
 * Binds advertised keys to the consortium: a site's signature counts only when it verifies under a
 * certificate the consortium CA issued to that site id, valid now. Certificates arrive with the
 * keys they sign for (the coordinator routes them), so every site checks every other site's
 * signature itself instead of trusting the coordinator.
 */
public final class SiteCertificates implements SignatureVerifier {
  private final X509Certificate ca;
  private final Clock clock;
  private final Map<String, X509Certificate> bySite = new ConcurrentHashMap<>();

  public SiteCertificates(X509Certificate ca, Clock clock) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Accepts a site's certificate for signature checks.
   *
   * @throws SecAggException (BAD_SIGNATURE) if it is not a site certificate for {@code siteId},
   *     issued by the consortium CA and valid now
   */
  public void add(String siteId, byte[] der) throws SecAggException {
    X509Certificate certificate;
    try {
      certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new SecAggException(
          SecAggException.Reason.BAD_SIGNATURE, "certificate of " + siteId + " is not DER X.509");
    }
    try {
      certificate.verify(ca.getPublicKey());
      certificate.checkValidity(Date.from(clock.instant()));
    } catch (GeneralSecurityException e) {
      throw new SecAggException(
          SecAggException.Reason.BAD_SIGNATURE,
          "certificate of "
              + siteId
              + " is not issued by the consortium CA or not valid now: "
              + e.getMessage());
    }
    PartyIdentity identity;
    try {
      identity = PartyIdentity.of(certificate);
    } catch (PkiException e) {
      throw new SecAggException(SecAggException.Reason.BAD_SIGNATURE, e.getMessage());
    }
    if (identity.role() != PartyRole.SITE || !identity.name().equals(siteId)) {
      throw new SecAggException(
          SecAggException.Reason.WRONG_SENDER,
          "certificate names " + identity.role() + " " + identity.name() + ", not site " + siteId);
    }
    bySite.put(siteId, certificate);
  }

  @Override
  public boolean verify(String siteId, byte[] message, byte[] signature) {
    X509Certificate certificate = bySite.get(siteId);
    if (certificate == null) {
      return false;
    }
    try {
      return Signatures.verifier(certificate).verify(signature, message);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
