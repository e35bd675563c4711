package org.medfed.crypto.pki;

import java.security.GeneralSecurityException;

/** A certificate, key or PEM text that cannot be used; the message says what was expected. */
public final class PkiException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  public PkiException(String message) {
    super(message);
  }

  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }
}
