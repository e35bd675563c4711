package org.medfed.crypto.sign;

/**
 * Produces digital signatures with one private key. Obtain one from {@link Signatures#signer}.
 *
 * <p>Security guarantee: without the private key nobody can produce a signature that the matching
 * {@link Verifier} accepts for a message this signer never signed (existential unforgeability under
 * chosen-message attack, for ECDSA P-256 and Ed25519). Implementations are thread-safe.
 */
public interface Signer {

  /**
   * Signs {@code message} and returns the signature bytes (DER for ECDSA, 64 bytes for Ed25519).
   */
  byte[] sign(byte[] message);
}
