package org.medfed.crypto.merkle;

import java.security.GeneralSecurityException;

/**
 * A proof, checkpoint or checkpoint signature that does not verify. The message says which check
 * failed (bounds, proof length, root mismatch, signature), for the auditor's report; none of it is
 * secret, since everything a log verifier handles is public.
 */
public final class VerificationException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  public VerificationException(String message) {
    super(message);
  }

  public VerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
