package org.medfed.crypto.pki;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One revoked certificate, as the consortium's revocation list states it.
 *
 * @param serial the certificate's serial number
 * @param siteId the site the certificate was issued to
 * @param reason why it was revoked, in the operator's words (one line)
 * @param revokedAt when it was revoked (whole seconds, as a CRL stores it)
 */
public record Revocation(BigInteger serial, String siteId, String reason, Instant revokedAt) {
  static final int MAX_REASON = 500;

  public Revocation {
    Objects.requireNonNull(serial, "serial");
    if (serial.signum() <= 0) {
      throw new IllegalArgumentException("a certificate serial is positive, got " + serial);
    }
    Names.requireSiteId(siteId);
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a revocation needs a reason");
    }
    if (reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "a revocation reason is one line of at most " + MAX_REASON + " characters");
    }
    Objects.requireNonNull(revokedAt, "revokedAt");
    revokedAt = Instant.ofEpochSecond(revokedAt.getEpochSecond());
  }

  /** The serial as lowercase hexadecimal, as MedFed prints and logs serials. */
  public String serialHex() {
    return serial.toString(16);
  }
}
