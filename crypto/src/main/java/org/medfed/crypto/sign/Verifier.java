package org.medfed.crypto.sign;

/**
 * Checks digital signatures against one public key. Obtain one from {@link Signatures#verifier}.
 *
 * <p>A signature that is wrong, truncated, malformed or made by another key is answered with {@code
 * false}, never an exception: a verifier's caller treats every such case the same way, and an
 * exception type could tell an attacker which check failed. Implementations are thread-safe.
 */
public interface Verifier {

  /** Whether {@code signature} is a valid signature over exactly {@code message}. */
  boolean verify(byte[] signature, byte[] message);
}
