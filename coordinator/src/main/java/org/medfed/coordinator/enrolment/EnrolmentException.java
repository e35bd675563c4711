package org.medfed.coordinator.enrolment;

/** A refused enrolment or renewal: nothing was issued; the message says why in one sentence. */
public final class EnrolmentException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What kind of refusal, which decides the gRPC status. */
  public enum Kind {
    /** The token or the request is malformed or does not fit (INVALID_ARGUMENT). */
    MALFORMED,
    /** Well formed but not allowed: used, expired or wrong token; revoked or removed site. */
    DENIED,
    /** Renew without a certificate that proves a site identity (UNAUTHENTICATED). */
    UNAUTHENTICATED
  }

  private final Kind kind;

  EnrolmentException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
