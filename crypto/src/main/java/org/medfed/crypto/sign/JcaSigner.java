package org.medfed.crypto.sign;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/** A {@link Signer} over the JCA; a fresh {@link Signature} per call keeps it thread-safe. */
final class JcaSigner implements Signer {
  private final String algorithm;
  private final PrivateKey privateKey;

  private JcaSigner(String algorithm, PrivateKey privateKey) {
    this.algorithm = algorithm;
    this.privateKey = privateKey;
  }

  /** Initialises once here so that a key the provider rejects fails now, not at the first sign. */
  static JcaSigner create(String algorithm, PrivateKey privateKey) throws InvalidKeyException {
    try {
      Signature.getInstance(algorithm).initSign(privateKey);
    } catch (NoSuchAlgorithmException e) {
      throw new InvalidKeyException("this JVM does not support " + algorithm, e);
    }
    return new JcaSigner(algorithm, privateKey);
  }

  @Override
  public byte[] sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    try {
      Signature signature = Signature.getInstance(algorithm);
      signature.initSign(privateKey);
      signature.update(message);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      // The key and algorithm were accepted in create(); failing now is a broken provider.
      throw new IllegalStateException(algorithm + " signing failed", e);
    }
  }

  @Override
  public String toString() {
    return "Signer[" + algorithm + "]";
  }
}
