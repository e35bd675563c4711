package org.medfed.coordinator.round;

/**
 * A site's message that the round engine refuses. The kind maps to one gRPC status at the edge; the
 * message is one sentence the site's operator can act on.
 */
public final class ProtocolException extends Exception {
  /** Why a message was refused. */
  public enum Kind {
    /** Malformed: wrong length, non-finite values, bad digest. */
    INVALID,
    /** Well-formed but not expected now: phase closed, wrong round or model version. */
    NOT_NOW,
    /** The site is not a participant of this study or round. */
    NOT_PARTICIPANT,
    /** Unknown study or model version. */
    NOT_FOUND,
    /** No valid sender signature by the calling site's certificate. */
    UNSIGNED
  }

  private final Kind kind;

  public ProtocolException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
