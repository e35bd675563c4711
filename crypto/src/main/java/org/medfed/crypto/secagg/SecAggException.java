package org.medfed.crypto.secagg;

import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * A protocol message or step that was refused, or a round that cannot complete. {@link #reason()}
 * is machine-readable (an integration maps it to a gRPC status); the message says what was
 * expected. A refused message leaves the refusing party's state unchanged.
 */
public final class SecAggException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** Why a message or step was refused. */
  public enum Reason {
    /** The message belongs to another round. */
    WRONG_ROUND,
    /** The message type is not accepted in the current phase (too early, or its phase closed). */
    WRONG_PHASE,
    /** The sender is not a participant, or not the authenticated party that delivered it. */
    WRONG_SENDER,
    /** The message is addressed to another site. */
    WRONG_RECIPIENT,
    /** A signature on advertised keys does not verify for the claimed site. */
    BAD_SIGNATURE,
    /** A second message of the same kind from the same sender in one round. */
    REPLAY,
    /** A field has the wrong length (keys, ciphertexts, shares, vectors). */
    WRONG_LENGTH,
    /** An encrypted share does not decrypt under the agreed key and bound metadata. */
    DECRYPTION_FAILED,
    /** The message is well-formed but inconsistent with what this party saw earlier. */
    INCONSISTENT,
    /** Revealing what was asked would let the server learn one site's input. */
    PRIVACY_VIOLATION,
    /** Fewer than the threshold number of sites remain; the round fails and reveals nothing. */
    BELOW_THRESHOLD,
    /** The round already failed. */
    ROUND_FAILED
  }

  private final Reason reason;

  public SecAggException(Reason reason, String message) {
    super(Objects.requireNonNull(reason, "reason") + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
