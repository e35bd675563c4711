package org.medfed.coordinator.revocation;

/**
 * A certificate the coordinator will not accept; the message names the certificate (serial and
 * subject) and the reason in one sentence.
 */
public final class CertificateRefusal extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean revoked;

  CertificateRefusal(String message, boolean revoked) {
    super(message);
    this.revoked = revoked;
  }

  /**
   * Whether the consortium revoked the certificate (its holder is known but no longer allowed), as
   * opposed to a certificate that proves no identity at all (another CA, expired, no MedFed name).
   */
  public boolean revoked() {
    return revoked;
  }
}
