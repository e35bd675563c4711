package org.medfed.crypto.sign;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;

/** A {@link Verifier} over the JCA; a fresh {@link Signature} per call keeps it thread-safe. */
final class JcaVerifier implements Verifier {
  private final String algorithm;
  private final PublicKey publicKey;

  private JcaVerifier(String algorithm, PublicKey publicKey) {
    this.algorithm = algorithm;
    this.publicKey = publicKey;
  }

  /** Initialises once here so that a key the provider rejects fails now, not as a false later. */
  static JcaVerifier create(String algorithm, PublicKey publicKey) throws InvalidKeyException {
    try {
      Signature.getInstance(algorithm).initVerify(publicKey);
    } catch (NoSuchAlgorithmException e) {
      throw new InvalidKeyException("this JVM does not support " + algorithm, e);
    }
    return new JcaVerifier(algorithm, publicKey);
  }

  @Override
  public boolean verify(byte[] signature, byte[] message) {
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(message, "message");
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // A malformed signature (bad DER, wrong length) is just a signature that does not verify.
      return false;
    }
  }

  @Override
  public String toString() {
    return "Verifier[" + algorithm + "]";
  }
}
